using System.Net;
using Microsoft.Extensions.Options;
using SecureStack.ServiceDefaults.Security;

namespace SecureStack.Gateway.RateLimiting;

/// <summary>Rate-limit settings that are valid but unsafe outside Development.</summary>
internal sealed class RateLimitingSelfCheck(IOptions<RateLimitingOptions> options) : ISecuritySelfCheck
{
    public IEnumerable<string> FindInsecureSettings()
    {
        var settings = options.Value;

        foreach (var (name, policy) in settings.Policies)
        {
            // Credential stuffing waits for exactly this: knock Redis over, then guess passwords unthrottled.
            if (policy.PartitionBy.IsTokenRequest() && policy.Fallback == RateLimitFallback.Open)
            {
                yield return $"RateLimiting:Policies:{name}:Fallback is Open on the token endpoint policy: a Redis outage would lift brute-force protection. Use Local or Closed.";
            }
        }

        var trusted = settings.TrustedProxies
            .Select(proxy => RateLimitingOptionsValidator.TryParseNetwork(proxy, out var network) ? network : (IPNetwork?)null)
            .OfType<IPNetwork>();
        var tooBroad = TrustedNetworks.TooBroad(trusted);
        if (tooBroad.Count > 0)
        {
            yield return $"RateLimiting:TrustedProxies trusts too much public address space ({string.Join(", ", tooBroad)}: {TrustedNetworks.Limit}), so a client there could choose its own rate-limit partition with X-Forwarded-For: list only the proxies' own addresses or private networks.";
        }
    }
}
