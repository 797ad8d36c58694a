using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace SecureStack.Gateway.RateLimiting;

/// <summary>The configured policies, and for a route's policy name the chain of policies a request must pass.</summary>
internal sealed class GatewayRateLimiter : IDisposable
{
    private readonly Dictionary<string, GatewayRateLimitPolicy> _policies;
    private readonly Dictionary<string, GatewayRateLimitPolicy[]> _chains;

    public GatewayRateLimiter(IOptions<RateLimitingOptions> options, IConnectionMultiplexer redis, RedisDecisionGuard guard)
    {
        var settings = options.Value;
        _policies = settings.Policies.ToDictionary(
            pair => pair.Key,
            pair => new GatewayRateLimitPolicy(pair.Key, pair.Value, settings, redis, guard),
            StringComparer.Ordinal);
        _chains = _policies.ToDictionary(
            pair => pair.Key,
            pair => (GatewayRateLimitPolicy[])[
                .. pair.Value.Options.AlsoApply.Select(name => _policies[name]),
                pair.Value,
                .. pair.Value.Options.ThenApply.Select(name => _policies[name])],
            StringComparer.Ordinal);
    }

    public IReadOnlyList<GatewayRateLimitPolicy> ChainFor(string policyName) =>
        _chains.TryGetValue(policyName, out var chain)
            ? chain
            : throw new InvalidOperationException($"Route names rate-limit policy '{policyName}', which RateLimiting:Policies does not define.");

    public void Dispose()
    {
        foreach (var policy in _policies.Values)
        {
            policy.Dispose();
        }
    }
}
