using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

public static class SecurityHeadersExtensions
{
    /// <summary>The policy for server-rendered pages (a login form), named for <c>WithSecurityHeadersPolicy</c>.</summary>
    public const string HtmlPagePolicy = "html-page";

    private const int OneYearInSeconds = 31_536_000;

    /// <summary>
    /// Security headers from NetEscapades.AspNetCore.SecurityHeaders. The default is the API set: nothing may be
    /// loaded, framed, sniffed, cached or referred, and nothing names the server. HSTS is sent on HTTPS
    /// responses outside Development only (a development certificate must not pin localhost to HTTPS for a year).
    /// </summary>
    public static TBuilder AddDefaultSecurityHeaders<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        var isDevelopment = builder.Environment.IsDevelopment();
        builder.Services.AddSecurityHeaderPolicies(policies => policies
            .SetDefaultPolicy(policy => policy
                .AddCommonHeaders(isDevelopment)
                .AddContentSecurityPolicy(csp =>
                {
                    csp.AddDefaultSrc().None();
                    csp.AddFrameAncestors().None();
                }))
            .AddPolicy(HtmlPagePolicy, policy => policy
                .AddCommonHeaders(isDevelopment)
                // A form styled by its own stylesheet; no script at all. form-action is left out on purpose:
                // browsers apply it to the redirect chain after a submit, which for a login ends at each OAuth
                // client's own redirect_uri. frame-ancestors stops clickjacking the login.
                .AddContentSecurityPolicy(csp =>
                {
                    csp.AddDefaultSrc().None();
                    csp.AddStyleSrc().Self();
                    csp.AddImgSrc().Self();
                    csp.AddBaseUri().None();
                    csp.AddFrameAncestors().None();
                })));

        return builder;
    }

    private static HeaderPolicyCollection AddCommonHeaders(this HeaderPolicyCollection policy, bool isDevelopment)
    {
        policy
            .AddContentTypeOptionsNoSniff()
            .AddFrameOptionsDeny()
            .AddReferrerPolicyNoReferrer()
            .AddPermissionsPolicyWithDefaultSecureDirectives()
            .AddCrossOriginOpenerPolicy(coop => coop.SameOrigin())
            .AddCrossOriginResourcePolicy(corp => corp.SameOrigin())
            // Responses carry personal data and tokens: no shared or browser cache may keep them.
            .AddCustomHeader("Cache-Control", "no-store")
            .RemoveServerHeader()
            .RemoveCustomHeader("X-Powered-By");

        if (!isDevelopment)
        {
            // No host is exempt (the library would exempt localhost): outside Development every HTTPS answer pins HTTPS.
            policy.AddStrictTransportSecurity(OneYearInSeconds, includeSubdomains: true, preload: false, excludedHosts: []);
        }

        return policy;
    }
}
