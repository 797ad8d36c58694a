using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using SecureStack.Reliability.Tests.Infrastructure;

namespace SecureStack.Reliability.Tests;

/// <summary>Bad input at volume through the Gateway to the Api and Identity.</summary>
[Collection(ReliabilityCollection.Name)]
public sealed class MalformedInputTests(RedisContainerFixture redis)
{
    private const int Seed = 9;
    private const int Requests = 3000;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    /// <summary>
    /// Fault: a seeded run of generated malformed requests (broken and mistyped JSON, huge numbers, deep nesting,
    /// invalid UTF-8 in bodies, paths and headers, odd and oversized headers, malformed and forged tokens, long
    /// paths, broken framing). Promise: not one answer of 500 or above, and not one that shows the inside: stack
    /// traces, exception or framework names, internal addresses and ports, server banners.
    /// </summary>
    [Fact]
    public async Task ThousandsOfMalformedRequestsGetNo5xxAndLeakNothing()
    {
        await using var stack = await FaultStack.StartAsync(redis.ConnectionString);
        var token = FaultStack.AccessToken(await stack.LoginDemoUserAsync());
        var internals = new[] { "   at ", "Exception", "System.", "Microsoft.", "Kestrel", "StackExchange", "SQLite", ".cs:line", "/work/" }
            .Concat(stack.InternalPorts.Select(port => $":{port}"))
            .ToArray();
        var failures = new ConcurrentQueue<string>();
        var statuses = new ConcurrentDictionary<int, int>();
        var watch = Stopwatch.StartNew();

        await Parallel.ForEachAsync(new MalformedRequests(Seed, token).Take(Requests),
            new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = Cancellation },
            async (generated, cancel) =>
            {
                var (status, headers, body) = generated.Raw is { } raw
                    ? await SendRawAsync(stack.Gateway!.Address, raw, cancel)
                    : await SendAsync(stack.Client, generated.Http!(stack.Gateway!.Address), cancel);
                statuses.AddOrUpdate(status, 1, (_, count) => count + 1);
                var leaks = internals.Where(marker => body.Contains(marker, StringComparison.OrdinalIgnoreCase)
                        || headers.Contains(marker, StringComparison.OrdinalIgnoreCase))
                    .Concat(SecurityBaseline.ForbiddenHeaders.Where(name => headers.Contains($"\n{name}:", StringComparison.OrdinalIgnoreCase)))
                    .ToList();
                if (status == 0 || (status >= 500 && !(status == 505 && generated.Allows505)) || leaks.Count > 0)
                {
                    failures.Enqueue($"{generated.Description} -> {status} {string.Join(',', leaks)} {Truncate(body)}");
                }
            });

        Wait.Report($"seed {Seed}: {Requests} requests in {watch.Elapsed.TotalSeconds:F1} s; statuses "
            + string.Join(", ", statuses.OrderBy(pair => pair.Key).Select(pair => $"{pair.Key}×{pair.Value}")));
        Assert.True(failures.IsEmpty, $"{failures.Count} failing responses (seed {Seed}):\n" + string.Join('\n', failures.Take(20)));
        // The run must have reached the services, not only the Gateway's own refusals.
        Assert.Contains(statuses.Keys, status => status is 200 or 201);
        Assert.Contains(statuses.Keys, status => status == 400);
    }

    private static async Task<(int Status, string Headers, string Body)> SendAsync(HttpClient client, HttpRequestMessage request, CancellationToken cancel)
    {
        using (request)
        {
            using var response = await client.SendAsync(request, cancel);
            var headers = "\n" + string.Join('\n', response.Headers.Concat(response.Content.Headers).Select(header => $"{header.Key}: {string.Join(", ", header.Value)}"));
            return ((int)response.StatusCode, headers, await response.Content.ReadAsStringAsync(cancel));
        }
    }

    /// <summary>
    /// Writes the bytes on a fresh connection and reads the answer until the server closes it or goes quiet.
    /// The connection is not half-closed: Kestrel takes that for a client that left and owes it no answer.
    /// </summary>
    private static async Task<(int Status, string Headers, string Body)> SendRawAsync(Uri gateway, byte[] raw, CancellationToken cancel)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(gateway.Host, gateway.Port, cancel);
        var stream = tcp.GetStream();
        await stream.WriteAsync(raw, cancel);

        using var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        var quiet = TimeSpan.FromSeconds(10);
        while (true)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            timeout.CancelAfter(quiet);
            int read;
            try
            {
                read = await stream.ReadAsync(buffer, timeout.Token);
            }
            catch (Exception exception) when (exception is IOException or OperationCanceledException && !cancel.IsCancellationRequested)
            {
                break;
            }

            if (read == 0)
            {
                break;
            }

            received.Write(buffer, 0, read);
            // Once an answer has started, a short pause means it is complete (keep-alive connections stay open).
            quiet = TimeSpan.FromMilliseconds(500);
        }

        var text = Encoding.UTF8.GetString(received.ToArray());
        var headerEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = headerEnd < 0 ? text : text[..headerEnd];
        var status = head.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) && int.TryParse(head.AsSpan(9, 3), out var parsed) ? parsed : 0;
        return (status, "\n" + head.Replace("\r\n", "\n", StringComparison.Ordinal), headerEnd < 0 ? string.Empty : text[(headerEnd + 4)..]);
    }

    private static string Truncate(string body) => body.Length <= 300 ? body : body[..300] + "…";
}
