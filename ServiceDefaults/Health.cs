using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.Hosting;

public static class HealthExtensions
{
    public const string LivenessPath = "/alive";
    public const string ReadinessPath = "/health";
    public const string LiveTag = "live";

    /// <summary>
    /// Liveness answers "is the process able to serve at all" (only checks tagged <c>live</c>);
    /// readiness runs every registered check, including Redis where a service uses it.
    /// </summary>
    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);

        return builder;
    }

    /// <summary>
    /// The endpoints answer with the bare status word, never check details: they are safe to map in every
    /// environment, and the Gateway has no route to them, so only the orchestrator's probes reach them.
    /// </summary>
    public static WebApplication MapDefaultHealthChecks(this WebApplication app)
    {
        app.MapHealthChecks(ReadinessPath).AllowAnonymous().DisableHttpMetrics();
        app.MapHealthChecks(LivenessPath, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(LiveTag),
        }).AllowAnonymous().DisableHttpMetrics();

        return app;
    }

    public static bool IsHealthPath(PathString path) =>
        path.StartsWithSegments(ReadinessPath) || path.StartsWithSegments(LivenessPath);
}
