using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SecureStack.ServiceDefaults.Security;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The shared baseline every SecureStack service starts from: telemetry, health, service discovery,
/// resilience and RFC 9457 errors. Each concern lives in its own file beside this one.
/// </summary>
public static class ServiceDefaultsExtensions
{
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.AddDefaultProblemDetails();
        builder.Services.TryAddSingleton<SecurityEvents>();
        builder.Services.AddSecuritySelfCheckRunner();

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });

        return builder;
    }

    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.UseDefaultProblemDetails();
        app.MapDefaultHealthChecks();
        return app;
    }
}
