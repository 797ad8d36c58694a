using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using SecureStack.ServiceDefaults.Authentication;
using SecureStack.ServiceDefaults.Security;

// The extension lives beside AddServiceDefaults, like every ServiceDefaults registration; its types live in
// SecureStack.ServiceDefaults.Authentication.
namespace Microsoft.Extensions.Hosting;

public static class SecureStackJwtBearerExtensions
{
    /// <summary>The named client that fetches discovery and JWKS; tests swap its primary handler for a test issuer.</summary>
    public const string MetadataHttpClientName = "SecureStack.Authentication.Metadata";

    /// <summary>RFC 9068 access tokens carry <c>typ: at+jwt</c>; an ID token (<c>JWT</c>) is not an access token.</summary>
    public const string AccessTokenType = "at+jwt";

    /// <summary>Signing keys and metadata are small; a larger answer is an attack or a misconfiguration.</summary>
    private const long MaxMetadataBytes = 256 * 1024;

    /// <summary>
    /// Validates Identity's RS256 access tokens with JwtBearer as the default scheme: issuer, audience, lifetime
    /// (small clock skew), signature, token type and algorithm all checked; claims keep their JWT names; signing
    /// keys come from the authority's discovery document through service discovery, cached, with a bounded
    /// refresh when a token names an unknown key. Settings come from <see cref="SecureStackJwtOptions.SectionName"/>;
    /// missing ones stop start-up, insecure ones stop it outside Development (<see cref="JwtBearerSecuritySelfCheck"/>).
    /// </summary>
    public static TBuilder AddSecureStackJwtBearer<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;

        services.AddOptions<SecureStackJwtOptions>()
            .BindConfiguration(SecureStackJwtOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<SecureStackJwtOptions>, SecureStackJwtOptionsValidator>();

        services.AddHttpClient(MetadataHttpClientName, client => client.MaxResponseContentBufferSize = MaxMetadataBytes);

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<SecureStackJwtOptions>, IHttpClientFactory, IHostEnvironment, SecurityEvents>(
                (bearer, jwt, httpClientFactory, environment, securityEvents) =>
                    Configure(bearer, jwt.Value, httpClientFactory, environment, securityEvents));

        // Authorization denials become security events. The default handler still does the work.
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, SecurityEventsAuthorizationResultHandler>();
        services.AddSecuritySelfCheck<JwtBearerSecuritySelfCheck>();

        return builder;
    }

    /// <summary>Unset <see cref="SecureStackJwtOptions.RequireHttpsMetadata"/> means required outside Development.</summary>
    public static bool RequiresHttpsMetadata(this SecureStackJwtOptions options, IHostEnvironment environment) =>
        options.RequireHttpsMetadata ?? !environment.IsDevelopment();

    public static string ResolveMetadataAddress(this SecureStackJwtOptions options) =>
        string.IsNullOrWhiteSpace(options.MetadataAddress)
            ? options.Authority.TrimEnd('/') + "/.well-known/openid-configuration"
            : options.MetadataAddress;

    /// <summary>The configured issuer, or null when it is left to the discovery document.</summary>
    public static string? ExpectedIssuer(this SecureStackJwtOptions options) =>
        string.IsNullOrWhiteSpace(options.Issuer) ? null : options.Issuer;

    private static void Configure(
        JwtBearerOptions bearer,
        SecureStackJwtOptions jwt,
        IHttpClientFactory httpClientFactory,
        IHostEnvironment environment,
        SecurityEvents securityEvents)
    {
        var requireHttps = jwt.RequiresHttpsMetadata(environment);

        bearer.MetadataAddress = jwt.ResolveMetadataAddress();
        bearer.RequireHttpsMetadata = requireHttps;
        bearer.Audience = jwt.Audience;
        bearer.MapInboundClaims = false;
        bearer.SaveToken = false;
        bearer.TokenHandlers.Clear();
        bearer.TokenHandlers.Add(new ValidatedTokenCache(
            new JsonWebTokenHandler { MapInboundClaims = false }, jwt.ValidatedTokenCacheDuration, TimeProvider.System));
        // The WWW-Authenticate header says "invalid_token" and no more: why a token failed helps an attacker
        // tune the next one. The reason goes to the security log instead.
        bearer.IncludeErrorDetails = false;
        bearer.RefreshOnIssuerKeyNotFound = true;
        bearer.RefreshInterval = jwt.JwksRefreshInterval;
        bearer.AutomaticRefreshInterval = jwt.JwksAutomaticRefreshInterval;

        // Built here rather than by JwtBearer so the documents come through IHttpClientFactory (service discovery
        // understands https+http://identity, which JwtBearer's own HTTPS check would reject outright).
        bearer.ConfigurationManager = new ConfigurationManager<OpenIdConnectConfiguration>(
            bearer.MetadataAddress,
            new OpenIdConnectConfigurationRetriever(),
            new AuthorityDocumentRetriever(httpClientFactory, bearer.MetadataAddress, jwt.Authority, jwt.ExpectedIssuer(), requireHttps))
        {
            RefreshInterval = jwt.JwksRefreshInterval,
            AutomaticRefreshInterval = jwt.JwksAutomaticRefreshInterval,
        };

        bearer.TokenValidationParameters = new TokenValidationParameters
        {
            ValidateIssuer = true,
            ValidIssuer = jwt.ExpectedIssuer(),
            ValidateAudience = true,
            ValidAudience = jwt.Audience,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ClockSkew = jwt.ClockSkew,
            ValidateIssuerSigningKey = true,
            RequireSignedTokens = true,
            // Allow-listed: no "none", and no HS256, whose "key" would be the public RSA key (key confusion).
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            ValidTypes = [AccessTokenType],
            NameClaimType = SecureStackClaimTypes.Subject,
            RoleClaimType = SecureStackClaimTypes.Role,
        };

        bearer.Events = new JwtBearerEvents
        {
            OnTokenValidated = async context =>
            {
                if (context.HttpContext.RequestServices.GetService<RevokedTokens>() is { } revoked
                    && context.Principal?.FindFirst("jti")?.Value is { Length: > 0 } tokenId
                    && await revoked.IsRevokedAsync(tokenId, context.HttpContext.RequestAborted))
                {
                    context.Fail("The access token was revoked.");
                }
            },
            OnChallenge = context =>
            {
                // The exception type names the failed check (expired, audience, signature ...); its message
                // could quote the token, so it is not logged.
                var reason = context.AuthenticateFailure?.GetType().Name
                    ?? (context.Request.Headers.Authorization.Count == 0 ? "NoBearerToken" : "NoValidBearerToken");
                securityEvents.AuthenticationFailed(context.Scheme.Name, reason);
                return Task.CompletedTask;
            },
        };
    }
}
