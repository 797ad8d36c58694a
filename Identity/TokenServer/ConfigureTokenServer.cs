using Microsoft.Extensions.Options;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using SecureStack.Identity.Options;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace SecureStack.Identity.TokenServer;

/// <summary>Applies the configuration- and environment-dependent parts of the OpenIddict server.</summary>
internal sealed class ConfigureTokenServer(IOptions<TokenServerOptions> options, IHostEnvironment environment, TokenKeyRing keys)
    : IConfigureOptions<OpenIddictServerOptions>, IConfigureOptions<OpenIddictServerAspNetCoreOptions>
{
    public void Configure(OpenIddictServerOptions server)
    {
        var settings = options.Value;

        // A fixed issuer keeps iss stable whether a client came through the Gateway or straight here; without
        // one (Development only, enforced by the validator) OpenIddict uses the request's origin.
        server.Issuer = settings.Issuer;

        server.AccessTokenLifetime = settings.AccessTokenLifetime;
        server.RefreshTokenLifetime = settings.RefreshTokenLifetime;

        // Every redeemed refresh token is a replay: no grace period, so a reused token revokes its whole chain.
        server.RefreshTokenReuseLeeway = TimeSpan.Zero;

        // S256 only: "plain" gives no protection against an intercepted authorization code.
        server.CodeChallengeMethods.Clear();
        server.CodeChallengeMethods.Add(CodeChallengeMethods.Sha256);

        if (settings.AllowPasswordGrant && environment.IsDevelopment())
        {
            server.GrantTypes.Add(GrantTypes.Password);
        }

        server.SigningCredentials.AddRange(keys.SigningCredentials());
        server.EncryptionCredentials.AddRange(keys.EncryptingCredentials());
    }

    public void Configure(OpenIddictServerAspNetCoreOptions aspNetCore) =>
        aspNetCore.DisableTransportSecurityRequirement = options.Value.DisableTransportSecurityRequirement;
}
