using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using SecureStack.ServiceDefaults.Security;

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
        builder.Services.AddOptions<HealthEndpointOptions>().BindConfiguration(HealthEndpointOptions.SectionName);
        builder.Services.AddSecuritySelfCheck<HealthDetailsSelfCheck>();

        return builder;
    }

    /// <summary>
    /// The endpoints answer with the bare status word: safe in every environment, and the Gateway has no route
    /// to them, so only the orchestrator's probes reach them. Check details (names, descriptions, durations)
    /// only where <c>Health:ExposeDetails</c> is set, and the self-check refuses that outside Development.
    /// </summary>
    public static WebApplication MapDefaultHealthChecks(this WebApplication app)
    {
        var readiness = new HealthCheckOptions();
        if (app.Services.GetRequiredService<IOptions<HealthEndpointOptions>>().Value.ExposeDetails)
        {
            readiness.ResponseWriter = WriteDetailsAsync;
        }

        app.MapHealthChecks(ReadinessPath, readiness).AllowAnonymous().DisableHttpMetrics();
        app.MapHealthChecks(LivenessPath, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(LiveTag),
        }).AllowAnonymous().DisableHttpMetrics();

        return app;
    }

    private static Task WriteDetailsAsync(HttpContext context, HealthReport report) =>
        context.Response.WriteAsJsonAsync(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.Select(entry => new
            {
                name = entry.Key,
                status = entry.Value.Status.ToString(),
                description = entry.Value.Description,
                durationMs = entry.Value.Duration.TotalMilliseconds,
            }),
        });

    public static bool IsHealthPath(PathString path) =>
        path.StartsWithSegments(ReadinessPath) || path.StartsWithSegments(LivenessPath);
}

public sealed class HealthEndpointOptions
{
    public const string SectionName = "Health";

    /// <summary>Writes every check's name, status and description on <c>/health</c>. Development only.</summary>
    public bool ExposeDetails { get; set; }
}

internal sealed class HealthDetailsSelfCheck(IOptions<HealthEndpointOptions> options) : ISecuritySelfCheck
{
    public IEnumerable<string> FindInsecureSettings()
    {
        if (options.Value.ExposeDetails)
        {
            yield return "Health:ExposeDetails is true: anyone who reaches /health would see the checks' names and errors. Set it to false.";
        }
    }
}
