using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SecureStack.Gateway.RateLimiting;
using SecureStack.ServiceDefaults.Authentication;

namespace SecureStack.Benchmarks;

/// <summary>
/// The Redis-backed decisions an authenticated, rate-limited request needs at the Gateway, through the Gateway's own
/// registrations against a real local Redis: the rate-limit decision (time budget, breaker, RedisRateLimiting's
/// fixed-window script, one round trip) and the revocation check of the shared JWT validation (a lookup in the
/// deny-list replicated from Redis: no round trip).
/// </summary>
[MemoryDiagnoser]
public class RedisDecisionBenchmarks
{
    private WebApplication _app = null!;
    private IAsyncDisposable? _container;
    private GatewayRateLimitPolicy _policy = null!;
    private RevocationList _revocations = null!;
    private readonly RequestPartition _partition = new(RequestPartition.Client, "securestack-service");

    [GlobalSetup]
    public async Task SetUp()
    {
        (var redis, _container) = await BenchmarkEnvironment.RedisAsync();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration["ConnectionStrings:redis"] = redis;
        builder.Configuration["RateLimiting:KeyPrefix"] = $"bench:{Guid.NewGuid():N}";
        builder.Configuration["RateLimiting:Policies:per-user:PartitionBy"] = "User";
        // Nothing is refused: a refusal would be a different, cheaper path.
        builder.Configuration["RateLimiting:Policies:per-user:PermitLimit"] = "1000000000";
        builder.Configuration["RateLimiting:Policies:per-user:WindowSeconds"] = "60";
        builder.AddSecureStackRedis();
        builder.AddSecureStackRevocationList();
        builder.AddGatewayRateLimiting();
        _app = builder.Build();
        await _app.StartAsync();

        _policy = (GatewayRateLimitPolicy)_app.Services.GetRequiredService<GatewayRateLimiter>().ChainFor("per-user")[^1];
        _revocations = _app.Services.GetRequiredService<RevocationList>();

        var decision = await _policy.DecideAsync(_partition, CancellationToken.None);
        decision.Release();
        if (decision.Source != DecisionSource.Redis || !decision.Admitted)
        {
            throw new InvalidOperationException($"The decision came from {decision.Source}, not Redis: the figures would measure the fallback.");
        }
    }

    [GlobalCleanup]
    public async Task CleanUp()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_container is not null)
        {
            await _container.DisposeAsync();
        }
    }

    [Benchmark]
    public async Task<bool> DecideRateLimit()
    {
        var decision = await _policy.DecideAsync(_partition, CancellationToken.None);
        decision.Release();
        return decision.Admitted;
    }

    [Benchmark]
    public bool CheckRevocation() => _revocations.IsRevoked("0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210");
}
