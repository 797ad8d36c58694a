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

        foreach (var proxy in settings.TrustedProxies)
        {
            if (RateLimitingOptionsValidator.TryParseNetwork(proxy, out var network) && network.PrefixLength == 0)
            {
                yield return $"RateLimiting:TrustedProxies contains '{proxy}', which trusts every address: any client could choose its own rate-limit partition with X-Forwarded-For. List the proxies' addresses.";
            }
        }
    }
}
