using Testcontainers.Redis;
using Xunit;

namespace SecureStack.Testing;

/// <summary>
/// A real Redis in a container, started once per test collection and removed afterwards. The tests remove
/// it themselves because the Testcontainers reaper cannot be pulled on offline machines.
/// </summary>
public sealed class RedisContainerFixture : IAsyncLifetime
{
    private readonly RedisContainer _container = new RedisBuilder(ContainerImages.Redis).Build();

    /// <summary>A StackExchange.Redis connection string for the running container.</summary>
    public string ConnectionString => _container.GetConnectionString();

    public RedisContainer Container => _container;

    public async ValueTask InitializeAsync() => await _container.StartAsync();

    public async ValueTask DisposeAsync() => await _container.DisposeAsync();
}
