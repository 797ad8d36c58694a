using Microsoft.Extensions.Hosting;
using SecureStack.ServiceDefaults.Security;

namespace SecureStack.ServiceDefaults.Authentication;

/// <summary>
/// Refuses (outside Development) a service that takes part in revocation without the Redis that carries it: a
/// resource server that cannot refuse a revoked token, or an Identity that cannot tell the resource servers.
/// </summary>
internal sealed class RevocationSelfCheck(bool redisConfigured, string consequence) : ISecuritySelfCheck
{
    public IEnumerable<string> FindInsecureSettings()
    {
        if (!redisConfigured)
        {
            yield return $"ConnectionStrings:{RedisExtensions.ConnectionName} is not set: {consequence}; reference the AppHost's Redis (WithReference(redis)) or set the connection string.";
        }
    }
}
