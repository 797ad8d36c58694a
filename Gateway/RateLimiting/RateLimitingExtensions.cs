using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using SecureStack.ServiceDefaults.Security;
using StackExchange.Redis;

namespace SecureStack.Gateway.RateLimiting;

public static class RateLimitingExtensions
{
    /// <summary>
    /// Distributed rate limiting: RedisRateLimiting's Redis limiters, bounded by a time budget and a circuit
    /// breaker, with a per-policy fallback. Needs <c>AddSecureStackRedis()</c> first.
    /// </summary>
    public static WebApplicationBuilder AddGatewayRateLimiting(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<RateLimitingOptions>()
            .BindConfiguration(RateLimitingOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<RateLimitingOptions>, RateLimitingOptionsValidator>();
        services.AddSecuritySelfCheck<RateLimitingSelfCheck>();

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<RateLimitingMetrics>();
        services.AddSingleton<RedisDecisionGuard>();
        services.AddSingleton<ClientAddressResolver>();
        // Security events name the client the limits count, not the connection's peer (a trusted proxy).
        services.Replace(ServiceDescriptor.Singleton<IClientAddressResolver>(provider => provider.GetRequiredService<ClientAddressResolver>()));
        services.AddSingleton<TokenRequestFormReader>();
        services.AddSingleton<RateLimitPartitioner>();
        services.AddSingleton<GatewayRateLimiter>();
        services.AddHostedService<RateLimitingWarmup>();

        services.AddHealthChecks().Add(new HealthCheckRegistration(
            RedisDecisionGuard.HealthCheckName,
            provider => provider.GetRequiredService<RedisDecisionGuard>(),
            failureStatus: HealthStatus.Degraded,
            tags: null));

        // The Gateway keeps serving on its fallback limits without Redis, so for it a Redis outage is Degraded,
        // not Unhealthy: an orchestrator must not pull every replica (a self-inflicted outage) because Redis blinked.
        services.PostConfigure<HealthCheckServiceOptions>(options =>
        {
            foreach (var registration in options.Registrations.Where(r => r.Name.StartsWith("StackExchange.Redis", StringComparison.Ordinal)))
            {
                registration.FailureStatus = HealthStatus.Degraded;
            }
        });

        services.PostConfigure<ConfigurationOptions>(redis =>
        {
            // Start and keep reconnecting without Redis rather than refuse to start.
            redis.AbortOnConnectFail = false;
            // While disconnected, fail a command at once instead of queueing it until Redis returns: the fallback
            // answers immediately instead of after the budget.
            redis.BacklogPolicy = BacklogPolicy.FailFast;
            redis.ConnectTimeout = Math.Min(redis.ConnectTimeout, 2000);
            redis.AsyncTimeout = Math.Min(redis.AsyncTimeout, 1000);
            redis.SyncTimeout = Math.Min(redis.SyncTimeout, 1000);
            // Reconnect every second, not on the default back-off of up to a minute: recovery should be prompt.
            redis.ReconnectRetryPolicy = new LinearRetry(1000);
            // Every request waits for two Redis replies (revocation, rate limit). Reading them on the .NET thread pool
            // instead of the client's own reader threads saves a thread switch per reply: about a fifth of the
            // Gateway's CPU per request on two cores (docs/performance.md).
            redis.SocketManager = SocketManager.ThreadPool;
        });

        // YARP checks a route's RateLimiterPolicy against ASP.NET Core's policy names, so every policy is listed
        // there too. The decisions are GatewayRateLimitingMiddleware's: the built-in middleware can neither bound
        // Redis latency, nor fall back, nor emit RateLimit fields on admitted responses.
        var policyNames = builder.Configuration.GetSection($"{RateLimitingOptions.SectionName}:Policies").GetChildren().Select(section => section.Key).ToArray();
        services.AddRateLimiter(options =>
        {
            foreach (var name in policyNames)
            {
                options.AddPolicy(name, _ => RateLimitPartition.GetNoLimiter(string.Empty));
            }
        });

        return builder;
    }

    /// <summary>After authentication (partitions by subject need the user), before the proxy.</summary>
    public static IApplicationBuilder UseGatewayRateLimiting(this IApplicationBuilder app) =>
        app.UseMiddleware<GatewayRateLimitingMiddleware>();
}
