using Microsoft.Extensions.DependencyInjection;
using SecureStack.ServiceDefaults.Authentication;

namespace Microsoft.Extensions.Hosting;

public static class RedisExtensions
{
    /// <summary>The connection name the AppHost gives the Redis resource.</summary>
    public const string ConnectionName = "redis";

    /// <summary>
    /// The one Redis client registration every service uses: the Aspire StackExchange.Redis integration,
    /// which adds the connection multiplexer, a readiness health check and Redis tracing.
    /// </summary>
    public static TBuilder AddSecureStackRedis<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.AddRedisClient(ConnectionName);
        // With Redis at hand, token validation also refuses access tokens revoked at Identity.
        builder.Services.AddSingleton<RevokedTokens>();
        builder.Services.AddOptions<RevocationOptions>()
            .BindConfiguration(RevocationOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        return builder;
    }
}
