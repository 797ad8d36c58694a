using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SecureStack.ServiceDefaults.Security;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The shared baseline every SecureStack service starts from: telemetry, health, service discovery,
/// resilience, and the security baseline (headers, HTTPS, CORS, errors, limits, forwarded headers, access and
/// security-event logs, start-up self-check). Each concern lives in its own file beside this one.
/// </summary>
public static class ServiceDefaultsExtensions
{
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });

        builder.Services.AddSecurityEvents();
        builder.Services.AddSecuritySelfCheckRunner();
        builder.AddDefaultProblemDetails();
        builder.AddDefaultSecurityHeaders();
        builder.AddRequestHardening();
        builder.AddHttpsRequirement();
        builder.AddDefaultCors();
        builder.AddTrustedForwardedHeaders();
        builder.AddAccessLog();

        return builder;
    }

    /// <summary>
    /// The baseline middleware, in order, the health probes among it. Call it first after <c>Build()</c>: what
    /// comes later (endpoints, the proxy) runs inside it, so every response, errors included, gets the
    /// headers, the access log and a ProblemDetails body.
    /// </summary>
    /// <param name="afterAuthentication">
    /// Middleware that needs the caller's identity but must run before authorization decides, such as the
    /// Gateway's rate limiter: it partitions by subject, and floods of 401s must be limited too.
    /// </param>
    public static WebApplication MapDefaultEndpoints(this WebApplication app, Action<IApplicationBuilder>? afterAuthentication = null)
    {
        app.UseForwardedHeaders();
        app.UseHttpLogging();
        app.UseSecurityHeaders();
        app.UseDefaultProblemDetails();
        app.UseAllowedHttpMethods();
        app.UseDefaultHealthChecks();
        app.UseHttpsOutsideDevelopment();
        app.UseCors();

        // Explicitly here, not where WebApplication would add them by itself (ahead of everything above):
        // a 401 or 403 must get the same headers, log line and ProblemDetails as any other response.
        if (app.Services.GetService<IAuthenticationSchemeProvider>() is not null)
        {
            app.UseAuthentication();
        }

        afterAuthentication?.Invoke(app);

        if (app.Services.GetService<IAuthorizationHandlerProvider>() is not null)
        {
            app.UseAuthorization();
        }

        return app;
    }
}
