using Microsoft.Extensions.DependencyInjection;

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
        return builder;
    }
}
