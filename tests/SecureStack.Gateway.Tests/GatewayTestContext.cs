using SecureStack.Testing;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace SecureStack.Gateway.Tests;

/// <summary>A backend and one or more Gateway replicas sharing a Redis and a key prefix, disposed together.</summary>
public sealed class GatewayTestContext : IAsyncDisposable
{
    // 127.0.0.1 is every other test's address; start above it.
    private static int s_nextAddress = 0x00_01_00;

    private readonly List<HttpClient> _sourceClients = [];

    private GatewayTestContext(BackendServer backend, TestIssuer issuer, IReadOnlyList<GatewayFactory> gateways, IReadOnlyList<HttpClient> clients)
    {
        Backend = backend;
        Issuer = issuer;
        Gateways = gateways;
        Clients = clients;
    }

    public BackendServer Backend { get; }

    /// <summary>Signs the real access tokens every replica validates.</summary>
    public TestIssuer Issuer { get; }

    /// <summary>An <c>Authorization</c> header with a real access token for user <paramref name="subject"/>.</summary>
    public (string Name, string Value) User(string subject) =>
        ("Authorization", $"Bearer {Issuer.CreateToken(new TokenSpec { Subject = subject })}");

    /// <summary>A client-credentials token: the subject is the client itself, as Identity issues them.</summary>
    public (string Name, string Value) Machine(string clientId) =>
        ("Authorization", $"Bearer {Issuer.CreateToken(new TokenSpec { Subject = clientId, ClientId = clientId })}");

    public IReadOnlyList<GatewayFactory> Gateways { get; }

    public IReadOnlyList<HttpClient> Clients { get; }

    public HttpClient Client => Clients[0];

    /// <summary>
    /// A client whose connections leave from <paramref name="source"/> (any 127.x.y.z works on Linux), so the
    /// Gateway sees a client of that address: an attacker and a victim on different addresses, as in real life.
    /// </summary>
    public HttpClient ClientFrom(IPAddress source, int replica = 0)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (connection, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(source, 0));
                    await socket.ConnectAsync(connection.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        var client = new HttpClient(handler) { BaseAddress = Clients[replica].BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        _sourceClients.Add(client);
        return client;
    }

    /// <summary>A fresh loopback address for each call, so every test's attacker and victim are distinct clients.</summary>
    public static IPAddress NewClientAddress()
    {
        var next = Interlocked.Increment(ref s_nextAddress);
        return new IPAddress([127, (byte)(next >> 16), (byte)(next >> 8), (byte)next]);
    }

    public static async Task<GatewayTestContext> StartAsync(
        string redisConnectionString,
        int replicas = 1,
        IDictionary<string, string?>? settings = null,
        Uri? backendOverride = null)
    {
        var backend = await BackendServer.StartAsync();
        var issuer = new TestIssuer();
        var keyPrefix = GatewayFactory.NewKeyPrefix();
        var gateways = Enumerable.Range(0, replicas)
            .Select(_ => new GatewayFactory(redisConnectionString, backendOverride ?? backend.Address, keyPrefix, issuer, settings))
            .ToList();
        var clients = gateways.Select(gateway =>
        {
            gateway.StartServer();
            var client = gateway.CreateClient();
            client.Timeout = TimeSpan.FromSeconds(30);
            return client;
        }).ToList();
        return new GatewayTestContext(backend, issuer, gateways, clients);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in Clients.Concat(_sourceClients))
        {
            client.Dispose();
        }

        foreach (var gateway in Gateways)
        {
            await gateway.DisposeAsync();
        }

        await Backend.DisposeAsync();
        Issuer.Dispose();
    }
}

public static class ResponseAssertions
{
    public static string? Header(this HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : null;

    public static int Count(this IEnumerable<HttpResponseMessage> responses, HttpStatusCode status) =>
        responses.Count(response => response.StatusCode == status);

    public static HttpRequestMessage Get(string path, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    public static HttpRequestMessage TokenRequest(params (string Name, string Value)[] form) =>
        new(HttpMethod.Post, "/connect/token")
        {
            Content = new FormUrlEncodedContent(form.Select(pair => KeyValuePair.Create(pair.Name, pair.Value))),
        };

    public static bool IsProblemJson(this HttpResponseMessage response) =>
        response.Content.Headers.ContentType is MediaTypeHeaderValue { MediaType: "application/problem+json" };
}
