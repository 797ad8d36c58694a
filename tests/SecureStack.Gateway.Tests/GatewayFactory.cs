using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SecureStack.Testing;

namespace SecureStack.Gateway.Tests;

/// <summary>
/// One Gateway instance on real Kestrel (127.0.0.1, so the connection address is real) with its routes pointed at
/// a <see cref="BackendServer"/> and its limits on a given Redis. Several factories with the same Redis and
/// <see cref="KeyPrefix"/> are several replicas of one deployment.
/// </summary>
public sealed class GatewayFactory : WebApplicationFactory<GatewayEntryPoint>
{
    private readonly Dictionary<string, string?> _settings;

    private readonly TestIssuer _issuer;

    public GatewayFactory(string redisConnectionString, Uri backend, string keyPrefix, TestIssuer issuer, IDictionary<string, string?>? settings = null)
    {
        KeyPrefix = keyPrefix;
        _issuer = issuer;
        _settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["ConnectionStrings:redis"] = redisConnectionString,
            // Tokens are validated at the edge against a real issuer's keys (TestIssuer), exactly as against Identity's.
            ["Authentication:Jwt:Authority"] = TestIssuer.Authority,
            ["Authentication:Jwt:Issuer"] = TestIssuer.Issuer,
            ["Authentication:Jwt:Audience"] = TestIssuer.Audience,
            ["RateLimiting:KeyPrefix"] = keyPrefix,
            ["RateLimiting:BreakerBreakSeconds"] = "1",
            // Accuracy tests count what Redis decided; on a loaded 2-core machine a 75 ms budget would send some
            // decisions to the local fallback and blur the count. The fault tests set the real budget themselves.
            ["RateLimiting:DecisionBudgetMilliseconds"] = "1000",
            ["ReverseProxy:Clusters:api:Destinations:api:Address"] = backend.ToString(),
            ["ReverseProxy:Clusters:identity:Destinations:identity:Address"] = backend.ToString(),
            ["Forwarding:TimeoutPolicies:backend"] = "3",
            // A route with a global concurrency cap, and one with no limit at all (the latency baseline).
            ["ReverseProxy:Routes:test-expensive:ClusterId"] = "api",
            ["ReverseProxy:Routes:test-expensive:Match:Path"] = "/api/expensive/{**catch-all}",
            ["ReverseProxy:Routes:test-expensive:RateLimiterPolicy"] = "expensive",
            ["ReverseProxy:Routes:test-unlimited:ClusterId"] = "api",
            ["ReverseProxy:Routes:test-unlimited:Match:Path"] = "/unlimited/{**catch-all}",
        };

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }

        UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
    }

    public string KeyPrefix { get; }

    /// <summary>Development unless a test says otherwise (the start-up tests run the Gateway as Production).</summary>
    public string EnvironmentName { get; init; } = Environments.Development;

    /// <summary>Everything the Gateway logged at Information and above, for tests that count events.</summary>
    public ConcurrentQueue<(EventId EventId, string Category, string Message)> Logs { get; } = new();

    public static string NewKeyPrefix() => $"test:{Guid.NewGuid():N}";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(EnvironmentName);
        // Host settings, not app configuration: Program reads some (the Redis connection string) while it builds.
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.AddProvider(new CapturingLoggerProvider(Logs)));

        // Only the network under the metadata client is swapped: the issuer answers discovery and JWKS itself.
        builder.ConfigureTestServices(services =>
            services.AddHttpClient(SecureStackJwtBearerExtensions.MetadataHttpClientName)
                .ConfigurePrimaryHttpMessageHandler(_issuer.CreateHandler));
    }
}
