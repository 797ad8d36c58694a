using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace SecureStack.Gateway.Tests;

/// <summary>
/// One Gateway instance on real Kestrel (127.0.0.1, so the connection address is real) with its routes pointed at
/// a <see cref="BackendServer"/> and its limits on a given Redis. Several factories with the same Redis and
/// <see cref="KeyPrefix"/> are several replicas of one deployment.
/// </summary>
public sealed class GatewayFactory : WebApplicationFactory<GatewayEntryPoint>
{
    /// <summary>Stands in for the JWT layer (not part of this Gateway yet): the caller's <c>sub</c> or <c>client_id</c>.</summary>
    public const string TestSubjectHeader = "X-Test-Sub";
    public const string TestClientHeader = "X-Test-Client";

    private readonly Dictionary<string, string?> _settings;

    public GatewayFactory(string redisConnectionString, Uri backend, string keyPrefix, IDictionary<string, string?>? settings = null)
    {
        KeyPrefix = keyPrefix;
        _settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["ConnectionStrings:redis"] = redisConnectionString,
            ["RateLimiting:KeyPrefix"] = keyPrefix,
            ["RateLimiting:BreakerBreakSeconds"] = "1",
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

    public static string NewKeyPrefix() => $"test:{Guid.NewGuid():N}";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Environments.Development);
        // Host settings, not app configuration: Program reads some (the Redis connection string) while it builds.
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter, TestUserStartupFilter>());
    }

    private sealed class TestUserStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                var claims = new List<Claim>();
                if (context.Request.Headers[TestSubjectHeader].ToString() is { Length: > 0 } subject)
                {
                    claims.Add(new Claim("sub", subject));
                }

                if (context.Request.Headers[TestClientHeader].ToString() is { Length: > 0 } client)
                {
                    claims.Add(new Claim("client_id", client));
                }

                if (claims.Count > 0)
                {
                    context.User = new ClaimsPrincipal(new ClaimsIdentity(claims, "Test"));
                }

                await nextMiddleware(context);
            });
            next(app);
        };
    }
}
