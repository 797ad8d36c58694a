using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using SecureStack.Identity.Data;
using SecureStack.Identity.Options;
using SecureStack.Identity.TokenServer;
using SecureStack.ServiceDefaults.Security;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace SecureStack.Identity.Extensions;

public static class TokenServerExtensions
{
    /// <summary>
    /// The OpenIddict server: endpoints and flows are fixed here; everything that depends on configuration or
    /// environment (issuer, keys, lifetimes, the password grant) is applied in <see cref="ConfigureTokenServer"/>
    /// when the options are first read, so a test's configuration is honoured.
    /// </summary>
    public static IHostApplicationBuilder AddTokenServer(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TokenServerOptions>()
            .BindConfiguration(TokenServerOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TokenServerOptions>, TokenServerOptionsValidator>();
        builder.Services.AddSingleton<TokenKeyRing>();
        builder.Services.AddScoped<TokenPrincipalFactory>();
        builder.Services.AddSecuritySelfCheck<TokenServerSelfCheck>();

        builder.Services.AddOpenIddict()
            .AddCore(core => core.UseEntityFrameworkCore().UseDbContext<ApplicationDbContext>())
            .AddServer(server =>
            {
                server.SetAuthorizationEndpointUris("connect/authorize")
                    .SetTokenEndpointUris("connect/token")
                    .SetUserInfoEndpointUris("connect/userinfo")
                    .SetIntrospectionEndpointUris("connect/introspect")
                    .SetRevocationEndpointUris("connect/revoke")
                    .SetEndSessionEndpointUris("connect/endsession")
                    .SetDeviceAuthorizationEndpointUris("connect/device")
                    .SetEndUserVerificationEndpointUris("connect/verify")
                    .SetJsonWebKeySetEndpointUris(".well-known/jwks");

                server.AllowClientCredentialsFlow()
                    .AllowAuthorizationCodeFlow()
                    .AllowRefreshTokenFlow()
                    .AllowDeviceAuthorizationFlow()
                    .RequireProofKeyForCodeExchange();

                server.RegisterScopes(
                    Scopes.OpenId, Scopes.Profile, Scopes.Email, Scopes.Roles, Scopes.OfflineAccess,
                    ApiScopes.Read, ApiScopes.Write, ApiScopes.Admin);

                // The Api is a resource server we run but validates with plain JwtBearer: a signed, unencrypted JWT.
                server.DisableAccessTokenEncryption();

                // Every URL OpenIddict publishes is built from the configured issuer, not the client's Host header.
                server.AddEventHandler(PublicOrigin.UseIssuerAsBaseUri.Descriptor);

                // RFC 9700 §4.3.2 / OAuth 2.1: access tokens only in the Authorization header, never in a URL
                // (logs, traces, history, Referer) or a form body.
                server.AddEventHandler(AuthorizationHeaderOnly.Descriptor);

                // After OpenIddict turns invalid_token into invalid_grant: at the same order the two ran in whatever
                // order the (unstable) sort of all handlers left them, and a replay went unreported when the
                // detector came first.
                server.AddEventHandler<OpenIddictServerEvents.ApplyTokenResponseContext>(handler =>
                    handler.UseSingletonHandler<RefreshTokenReplayDetector>()
                        .SetOrder(OpenIddictServerHandlers.Exchange.NormalizeErrorResponse.Descriptor.Order + 1_000)
                        .SetType(OpenIddictServerHandlerType.Custom));
                server.AddEventHandler<OpenIddictServerEvents.ApplyDeviceAuthorizationResponseContext>(handler =>
                    handler.UseSingletonHandler<DevicePollingInterval>()
                        .SetOrder(int.MinValue + 100_000)
                        .SetType(OpenIddictServerHandlerType.Custom));
                server.AddEventHandler<OpenIddictServerEvents.ApplyRevocationResponseContext>(handler =>
                    handler.UseSingletonHandler<RevocationAuditor>()
                        .SetOrder(OpenIddictServerHandlers.Revocation.NormalizeErrorResponse.Descriptor.Order + 1_000)
                        .SetType(OpenIddictServerHandlerType.Custom));

                server.UseAspNetCore()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableTokenEndpointPassthrough()
                    .EnableUserInfoEndpointPassthrough()
                    .EnableEndSessionEndpointPassthrough()
                    .EnableEndUserVerificationEndpointPassthrough();
            });

        builder.Services.AddSingleton<IConfigureOptions<OpenIddictServerOptions>, ConfigureTokenServer>();
        builder.Services.AddSingleton<IConfigureOptions<OpenIddictServerAspNetCoreOptions>, ConfigureTokenServer>();
        builder.Services.AddSingleton<IPostConfigureOptions<CookieAuthenticationOptions>, PublicOrigin.RebaseCookieRedirects>();
        builder.Services.AddHostedService<TokenServerSeeder>();
        return builder;
    }
}
