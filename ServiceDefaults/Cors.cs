using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SecureStack.ServiceDefaults.Options;
using SecureStack.ServiceDefaults.Security;

namespace Microsoft.Extensions.Hosting;

public static class CorsExtensions
{
    /// <summary>The policy name routes refer to (YARP route <c>CorsPolicy</c>, <c>RequireCors</c>).</summary>
    public const string PolicyName = "securestack";

    /// <summary>
    /// One named CORS policy from the <c>Cors</c> section, also the default policy. Rejections are logged as
    /// security events.
    /// </summary>
    public static TBuilder AddDefaultCors<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<CorsPolicyOptions>()
            .BindConfiguration(CorsPolicyOptions.SectionName)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<CorsPolicyOptions>, CorsPolicyOptionsValidator>();
        builder.Services.AddSecuritySelfCheck<CorsSelfCheck>();

        builder.Services.AddCors();
        builder.Services.AddOptions<CorsOptions>()
            .Configure<IOptions<CorsPolicyOptions>>((cors, configured) =>
            {
                var policy = BuildPolicy(configured.Value);
                cors.AddPolicy(PolicyName, policy);
                cors.AddDefaultPolicy(policy);
            });

        // Decorate the framework's CORS service so a refused origin becomes a security event.
        builder.Services.TryAddTransient<CorsService>();
        builder.Services.Replace(ServiceDescriptor.Transient<ICorsService, AuditingCorsService>());

        return builder;
    }

    private static CorsPolicy BuildPolicy(CorsPolicyOptions options)
    {
        var policy = new CorsPolicyBuilder();
        if (options.AllowsAnyOrigin)
        {
            policy.AllowAnyOrigin();
        }
        else
        {
            policy.WithOrigins(options.AllowedOrigins);
        }

        policy.WithMethods([.. options.EffectiveMethods])
            .WithHeaders([.. options.EffectiveHeaders])
            .WithExposedHeaders([.. options.EffectiveExposedHeaders])
            .SetPreflightMaxAge(TimeSpan.FromSeconds(options.MaxAgeSeconds));

        if (options.AllowCredentials)
        {
            policy.AllowCredentials();
        }
        else
        {
            policy.DisallowCredentials();
        }

        return policy.Build();
    }

    private sealed class AuditingCorsService(CorsService inner, SecurityEvents securityEvents) : ICorsService
    {
        public CorsResult EvaluatePolicy(HttpContext context, CorsPolicy policy)
        {
            var result = inner.EvaluatePolicy(context, policy);
            if (!result.IsOriginAllowed && context.Request.Headers.Origin is { Count: > 0 } origin)
            {
                securityEvents.CorsRejected(origin.ToString(), context.Request.Path);
            }

            return result;
        }

        public void ApplyResult(CorsResult result, HttpResponse response) => inner.ApplyResult(result, response);
    }
}

internal sealed class CorsPolicyOptionsValidator : IValidateOptions<CorsPolicyOptions>
{
    public ValidateOptionsResult Validate(string? name, CorsPolicyOptions options)
    {
        var errors = new List<string>();
        if (options.AllowsAnyOrigin && options.AllowCredentials)
        {
            errors.Add("Cors:AllowCredentials cannot be true while Cors:AllowedOrigins contains '*': any site could make credentialed calls. List the exact origins.");
        }

        foreach (var origin in options.AllowedOrigins.Where(origin => origin != CorsPolicyOptions.Wildcard))
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri)
                || uri.Scheme is not ("https" or "http")
                || uri.AbsolutePath != "/" || origin.EndsWith('/') || !string.IsNullOrEmpty(uri.Query))
            {
                errors.Add($"Cors:AllowedOrigins entry '{origin}' is not an origin: write scheme://host[:port], with no path or trailing slash.");
            }
        }

        if (options.MaxAgeSeconds is < 0 or > 86_400)
        {
            errors.Add("Cors:MaxAgeSeconds must be between 0 and 86400.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

internal sealed class CorsSelfCheck(IOptions<CorsPolicyOptions> options) : ISecuritySelfCheck
{
    public IEnumerable<string> FindInsecureSettings()
    {
        if (options.Value.AllowsAnyOrigin)
        {
            yield return "Cors:AllowedOrigins contains '*': list the exact origins that may call this service from a browser.";
        }

        foreach (var origin in options.Value.AllowedOrigins.Where(origin => origin.StartsWith("http://", StringComparison.OrdinalIgnoreCase)))
        {
            yield return $"Cors:AllowedOrigins entry '{origin}' is not HTTPS: allow only https:// origins.";
        }
    }
}
