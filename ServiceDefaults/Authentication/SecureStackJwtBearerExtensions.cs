using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
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

    /// <summary>An Identity that accepts connections and never answers must not hold a refresh forever.</summary>
    private static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(10);

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

        // No retry pipeline: the key cache retries on its own schedule and keeps the last keys meanwhile, so a fetch
        // should fail fast and say so, not spend the standard handler's retries (about 15 s) before reporting.
        // (RemoveAllResilienceHandlers is marked for evaluation; it is the documented way to opt one client out.)
#pragma warning disable EXTEXP0001
        services.AddHttpClient(MetadataHttpClientName, client =>
            {
                client.MaxResponseContentBufferSize = MaxMetadataBytes;
                client.Timeout = MetadataTimeout;
            })
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001

        // The keys are loaded in the background from start-up and kept through Identity outages; readiness
        // reports whether there are any yet.
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<SigningKeyCache>();
        services.AddHostedService<SigningKeyRefresher>();
        services.AddHealthChecks().AddCheck<SigningKeysHealthCheck>(SigningKeysHealthCheck.Name);

        // Every service that validates tokens refuses revoked ones: the replicated deny-list fed from Redis.
        builder.AddSecureStackRevocationList();

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<SecureStackJwtOptions>, SigningKeyCache, IHostEnvironment, SecurityEvents, RevocationList>(
                (bearer, jwt, signingKeys, environment, securityEvents, revocations) =>
                    Configure(bearer, jwt.Value, signingKeys, environment, securityEvents, revocations));

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

    private static async Task WriteUnavailableAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = "5";
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = StatusCodes.Status503ServiceUnavailable, Title = "Tokens cannot be checked yet; try again shortly." },
        });
    }

    private static void Configure(
        JwtBearerOptions bearer,
        SecureStackJwtOptions jwt,
        SigningKeyCache signingKeys,
        IHostEnvironment environment,
        SecurityEvents securityEvents,
        RevocationList revocations)
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

        // Documents come through IHttpClientFactory (service discovery understands https+http://identity, which
        // JwtBearer's own HTTPS check would reject outright) and are cached through Identity outages.
        bearer.ConfigurationManager = signingKeys;

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
            // Runs for every validated token, cached by ValidatedTokenCache or not: a memory lookup, no Redis call.
            OnTokenValidated = context =>
            {
                if (!revocations.IsConfigured)
                {
                    // Development without Redis only: the self-check stops start-up anywhere else.
                    return Task.CompletedTask;
                }

                if (!revocations.HasSynchronized)
                {
                    // Fail closed: before the first read of the list a revoked token looks like any other.
                    context.Fail(new RevocationListUnavailableException());
                }
                else if (context.Principal is { } principal && revocations.IsRevoked(principal))
                {
                    context.Fail(new RevokedTokenException());
                }

                return Task.CompletedTask;
            },
            OnAuthenticationFailed = context =>
            {
                // Not the caller's fault: handled below as a 503 instead of escaping as a 500.
                if (context.Exception is SigningKeysUnavailableException or RevocationListUnavailableException)
                {
                    context.Fail(context.Exception);
                }

                return Task.CompletedTask;
            },
            OnChallenge = async context =>
            {
                // The exception type names the failed check (expired, audience, signature ...); its message
                // could quote the token, so it is not logged.
                var reason = context.AuthenticateFailure?.GetType().Name
                    ?? (context.Request.Headers.Authorization.Count == 0 ? "NoBearerToken" : "NoValidBearerToken");
                securityEvents.AuthenticationFailed(context.Scheme.Name, reason);

                if (context.AuthenticateFailure is SigningKeysUnavailableException or RevocationListUnavailableException)
                {
                    // Neither "invalid token" (it may be valid) nor a 500: what it takes to check it is not here yet.
                    context.HandleResponse();
                    await WriteUnavailableAsync(context.HttpContext);
                }
            },
        };
    }
}
