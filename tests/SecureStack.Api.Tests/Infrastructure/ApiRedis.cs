namespace SecureStack.Api.Tests.Infrastructure;

/// <summary>
/// The Redis every Api host of this assembly replicates its revocation deny-list from (a real container, started
/// before any test). Static because many tests build their own <see cref="ApiFactory"/> with <c>new</c>.
/// </summary>
public sealed class ApiRedis : IAsyncLifetime
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
