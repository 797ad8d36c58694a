using System.Net;
using System.Net.Sockets;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace SecureStack.Security.Tests.Abuse;

/// <summary>
/// A stack of its own for the abuse-case suite, shaped so that an attacker and a victim can be told apart: one
/// Gateway replica listening on its own port (no Aspire proxy, which would make every client 127.0.0.1), reached
/// from distinct loopback addresses, and the default Redis budgets, not the generous ones the classic suite uses:
/// an attack on a budget must meet the budget as deployed.
/// </summary>
public sealed class AbuseFixture : SecurityFixture
{
    private const string GatewayEndpoint = "https";
    private int _addresses;

    /// <summary>One replica, so its own port sees every client; its local fallback limit is then the whole limit.</summary>
    public const int GatewayReplicas = 1;

    protected override IEnumerable<string> AppHostArguments => [$"--Scale:GatewayReplicas={GatewayReplicas}"];

    protected override bool GenerousRedisBudgets => false;

    protected override bool OneClientAddress => false;

    /// <summary>Each user registered from an address of its own: setting up a test spends no test's registration budget.</summary>
    protected override HttpClient CreateRegistrationClient() => CreateGatewayClientFrom(NewClientAddress());

    protected override void Configure(IDistributedApplicationTestingBuilder builder)
    {
        var gateway = builder.Resources.OfType<ProjectResource>().Single(resource => resource.Name == "gateway");
        var endpoint = gateway.Annotations.OfType<EndpointAnnotation>().Single(annotation => annotation.Name == GatewayEndpoint);
        // Unproxied, the Gateway itself listens on the endpoint's port and sees each client's own address. A free
        // port is taken now because an unproxied endpoint has no proxy to allocate one.
        endpoint.IsProxied = false;
        endpoint.Port = FreeTcpPort();
        endpoint.TargetPort = endpoint.Port;
    }

    /// <summary>
    /// A loopback address no other test of this run was given (127.77.x.y): on Linux every 127.0.0.0/8 address is
    /// local, so each one is a client of its own to the Gateway's per-address partitions.
    /// </summary>
    public IPAddress NewClientAddress()
    {
        var n = Interlocked.Increment(ref _addresses);
        return new IPAddress([127, 77, (byte)(n / 250), (byte)(n % 250 + 1)]);
    }

    /// <summary>A client whose connections start from <paramref name="source"/> and go straight to the Gateway.</summary>
    public HttpClient CreateGatewayClientFrom(IPAddress source, string? bearerToken = null)
    {
        var handler = DevelopmentCertificate.CreateHandler();
        handler.ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(source, 0));
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };

        var client = new HttpClient(handler) { BaseAddress = GatewayAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (bearerToken is not null)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", bearerToken);
        }

        return client;
    }

    /// <summary>The stack's Redis, for tests that inspect what an attack left in it.</summary>
    public async Task<string> RedisConnectionStringAsync() =>
        await App.GetConnectionStringAsync("redis") ?? throw new InvalidOperationException("Redis has no connection string.");

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name)]
public sealed class AbuseCollection : ICollectionFixture<AbuseFixture>
{
    public const string Name = "abuse";
}
