using SecureStack.Testing;

namespace SecureStack.Benchmarks;

/// <summary>
/// What eng/bench.sh hands the micro-benchmarks: the bench Redis and the running Identity. Run alone, a Redis
/// container is started (and removed) instead; token issuance needs a running Identity and says so.
/// </summary>
internal static class BenchmarkEnvironment
{
    public static string? Redis => Environment.GetEnvironmentVariable("BENCH_REDIS") is { Length: > 0 } value ? value : null;

    public static Uri IdentityUrl => new(Required("BENCH_IDENTITY_URL"));

    public static string ClientSecret => Required("BENCH_CLIENT_SECRET");

    /// <summary>The bench Redis, or a fresh container when none was given.</summary>
    public static async Task<(string ConnectionString, IAsyncDisposable? Container)> RedisAsync()
    {
        if (Redis is { } configured)
        {
            return (configured, null);
        }

        var container = new RedisContainerFixture();
        await container.InitializeAsync();
        return (container.ConnectionString, container);
    }

    private static string Required(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{name} is not set: run the micro-benchmarks through eng/bench.sh, which starts Identity.");
}
