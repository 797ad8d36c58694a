using System.Diagnostics;
using System.Net;
using SecureStack.Testing;

namespace SecureStack.Gateway.Tests;

/// <summary>
/// A measurement, not a test: what a Redis-backed decision adds to a request. Explicit, so it runs only when
/// asked for (<c>dotnet test --filter ... -- xUnit.Explicit=only</c>); it prints its figures.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class LatencyMeasurement(RedisContainerFixture redis)
{
    private const int Requests = 400;

    [Fact(Explicit = true)]
    public async Task MeasureAddedLatencyOfALimitedRequest()
    {
        await using var stack = await GatewayTestContext.StartAsync(redis.ConnectionString, settings: new Dictionary<string, string?>
        {
            ["RateLimiting:Policies:per-ip:PermitLimit"] = "1000000",
        });

        // Warm both paths, then alternate them so drift on a shared machine hits both alike.
        for (var i = 0; i < 50; i++)
        {
            await stack.Client.GetAsync("/unlimited/warm", TestContext.Current.CancellationToken);
            await stack.Client.GetAsync("/.well-known/warm", TestContext.Current.CancellationToken);
        }

        var unlimited = new List<double>(Requests);
        var limited = new List<double>(Requests);
        for (var i = 0; i < Requests; i++)
        {
            unlimited.Add(await TimeAsync(stack.Client, "/unlimited/x"));
            limited.Add(await TimeAsync(stack.Client, "/.well-known/x"));
        }

        var output = TestContext.Current.TestOutputHelper!;
        output.WriteLine($"unlimited: median {Percentile(unlimited, 0.5):F2} ms, p95 {Percentile(unlimited, 0.95):F2} ms");
        output.WriteLine($"limited:   median {Percentile(limited, 0.5):F2} ms, p95 {Percentile(limited, 0.95):F2} ms");
        output.WriteLine($"added:     median {Percentile(limited, 0.5) - Percentile(unlimited, 0.5):F2} ms over {Requests} requests each");
    }

    private static async Task<double> TimeAsync(HttpClient client, string path)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await client.GetAsync(path, TestContext.Current.CancellationToken);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return elapsed;
    }

    private static double Percentile(List<double> values, double percentile)
    {
        var sorted = values.Order().ToList();
        return sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(percentile * sorted.Count))];
    }
}
