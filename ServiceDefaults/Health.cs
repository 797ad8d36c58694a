using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
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
        builder.Services.AddOptions<HealthEndpointOptions>()
            .BindConfiguration(HealthEndpointOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSecuritySelfCheck<HealthDetailsSelfCheck>();

        return builder;
    }

    /// <summary>
    /// The probes answer with the bare status word: safe in every environment, and the Gateway has no route to
    /// them. Check details (names, descriptions, durations) only where <c>Health:ExposeDetails</c> is set, and the
    /// self-check refuses that outside Development. With <c>Health:Port</c> set they answer only on connections
    /// to that local port (a management port the ingress does not expose): the framework's port overload checks
    /// the connection's local port, not the Host header, which a client could set to name the management port.
    /// Middleware rather than endpoints, and early in the pipeline, so that authorization, CORS, HTTPS redirection
    /// and rate limiting never stand between the orchestrator and its probe, while the headers still apply.
    /// </summary>
    public static WebApplication UseDefaultHealthChecks(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<HealthEndpointOptions>>().Value;
        var readiness = new HealthCheckOptions();
        if (options.ExposeDetails)
        {
            readiness.ResponseWriter = WriteDetailsAsync;
        }

        // Probes every few seconds would drown the request metrics people come to read.
        app.Use((context, next) =>
        {
            if (IsHealthPath(context.Request.Path) && context.Features.Get<IHttpMetricsTagsFeature>() is { } metrics)
            {
                metrics.MetricsDisabled = true;
            }

            return next(context);
        });

        var liveness = new HealthCheckOptions { Predicate = registration => registration.Tags.Contains(LiveTag) };
        if (options.Port is { } port)
        {
            app.UseHealthChecks(ReadinessPath, port, readiness);
            app.UseHealthChecks(LivenessPath, port, liveness);
        }
        else
        {
            app.UseHealthChecks(ReadinessPath, readiness);
            app.UseHealthChecks(LivenessPath, liveness);
        }

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

    /// <summary>
    /// The management port: probes are answered only on connections to it. Unset, they answer on every port
    /// (fine for a service no client reaches directly; the Gateway requires it outside Development).
    /// </summary>
    [Range(1, 65535)]
    public int? Port { get; set; }
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
