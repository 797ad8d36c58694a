using System.Net;
using System.Net.Sockets;
using Testcontainers.Redis;
using Xunit;

namespace SecureStack.Testing;

/// <summary>
/// A real Redis in a container, started once per test collection and removed afterwards. The tests remove
/// it themselves because the Testcontainers reaper cannot be pulled on offline machines.
/// </summary>
public sealed class RedisContainerFixture : IAsyncLifetime
{
    private readonly RedisContainer _container = new RedisBuilder(ContainerImages.Redis)
        // A fixed host port (free when the fixture starts) instead of a random one per start: a test can stop
        // and restart the container and the clients reconnect to the same address, as they would in production.
        .WithPortBinding(FreeLoopbackPort(), RedisBuilder.RedisPort)
        .Build();

    /// <summary>A StackExchange.Redis connection string for the running container.</summary>
    public string ConnectionString => _container.GetConnectionString();

    public RedisContainer Container => _container;

    public async ValueTask InitializeAsync() => await _container.StartAsync();

    public async ValueTask DisposeAsync() => await _container.DisposeAsync();

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
