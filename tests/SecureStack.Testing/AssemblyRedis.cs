using Xunit;

namespace SecureStack.Testing;

/// <summary>
/// The one Redis every host of a test assembly that needs one is given (a real container, started before any
/// test): outside Development a token-validating service, and Identity, refuse to start without the deny-list's
/// Redis. Register it with <c>[assembly: AssemblyFixture(typeof(AssemblyRedis))]</c>. Static because many tests
/// build their hosts with <c>new</c>.
/// </summary>
public sealed class AssemblyRedis : IAsyncLifetime
{
    private readonly RedisContainerFixture _redis = new();

    public static string ConnectionString { get; private set; } = string.Empty;

    public static RedisContainerFixture? Container { get; private set; }

    public async ValueTask InitializeAsync()
    {
        await _redis.InitializeAsync();
        Container = _redis;
        ConnectionString = _redis.ConnectionString;
    }

    public ValueTask DisposeAsync() => _redis.DisposeAsync();
}
