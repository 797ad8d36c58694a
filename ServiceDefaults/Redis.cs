using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SecureStack.ServiceDefaults.Authentication;
using SecureStack.ServiceDefaults.Security;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

public static class RedisExtensions
{
    /// <summary>The connection name the AppHost gives the Redis resource.</summary>
    public const string ConnectionName = "redis";

    /// <summary>
    /// The one Redis client registration every service uses: the Aspire StackExchange.Redis integration,
    /// which adds the connection multiplexer, a readiness health check and Redis tracing. Registers once however
    /// many concerns (rate limiting, revocation) ask for it. A service that calls it needs Redis: without a
    /// connection string it stops here, in every environment, saying what to set.
    /// </summary>
    public static TBuilder AddSecureStackRedis<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        if (!builder.Services.Any(descriptor => descriptor.ServiceType == typeof(IConnectionMultiplexer)))
        {
            // Otherwise the client fails while the hosted services are created, before the self-check has run, with
            // "is empty (Parameter 'configuration')": nothing an operator can act on.
            if (!builder.HasRedis())
            {
                throw new InvalidOperationException(
                    $"ConnectionStrings:{ConnectionName} is not set: this service keeps its state (rate-limit counters, the revocation deny-list) in Redis; reference the AppHost's Redis (WithReference(redis)) or set the connection string.");
            }

            builder.AddRedisClient(ConnectionName);
        }

        return builder;
    }

    /// <summary>Whether the AppHost (or configuration) gave this service a Redis connection.</summary>
    public static bool HasRedis(this IHostApplicationBuilder builder) =>
        !string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(ConnectionName));

    /// <summary>
    /// The replicated deny-list a token-validating service refuses revoked access tokens with
    /// (<see cref="RevocationList"/>, fed by <see cref="RevocationListSynchronizer"/>). Without a Redis connection the
    /// list stays empty and the self-check says so: fatal outside Development, never silently skipped.
    /// </summary>
    public static TBuilder AddSecureStackRevocationList<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        var configured = builder.HasRedis();
        builder.AddRevocationOptions();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<SecurityEvents>();
        builder.Services.TryAddSingleton(provider => new RevocationList(
            configured,
            provider.GetRequiredService<IOptions<RevocationOptions>>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<SecurityEvents>()));
        builder.Services.AddHealthChecks().AddCheck<RevocationListHealthCheck>(RevocationListHealthCheck.Name);
        builder.Services.AddSingleton<ISecuritySelfCheck>(new RevocationSelfCheck(configured,
            "this service validates access tokens but cannot refuse revoked ones"));
        builder.Services.AddSecuritySelfCheckRunner();
        if (configured)
        {
            builder.AddSecureStackRedis();
            builder.Services.TryAddSingleton<RevocationStore>();
            builder.Services.AddHostedService<RevocationListSynchronizer>();
        }

        return builder;
    }

    /// <summary>
    /// Where Identity publishes revocations (<see cref="RevocationStore"/>). Without a Redis connection nothing is
    /// published and the self-check says so: fatal outside Development.
    /// </summary>
    public static TBuilder AddSecureStackRevocationPublishing<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        var configured = builder.HasRedis();
        builder.AddRevocationOptions();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ISecuritySelfCheck>(new RevocationSelfCheck(configured,
            "revoked access tokens cannot be published, so the Gateway and the Api accept them until they expire"));
        builder.Services.AddSecuritySelfCheckRunner();
        if (configured)
        {
            builder.AddSecureStackRedis();
            builder.Services.TryAddSingleton<RevocationStore>();
        }

        return builder;
    }

    private static void AddRevocationOptions(this IHostApplicationBuilder builder) =>
        builder.Services.AddOptions<RevocationOptions>()
            .BindConfiguration(RevocationOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
}
