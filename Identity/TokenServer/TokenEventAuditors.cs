using Microsoft.IdentityModel.JsonWebTokens;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using SecureStack.ServiceDefaults.Authentication;
using SecureStack.ServiceDefaults.Security;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace SecureStack.Identity.TokenServer;

/// <summary>
/// OpenIddict rejects a redeemed refresh token presented again and revokes every token of its authorization
/// (the leeway is zero). This handler makes that visible: a replay means the token was stolen or the client is
/// broken, and either needs a human.
/// </summary>
internal sealed class RefreshTokenReplayDetector(SecurityEvents securityEvents)
    : IOpenIddictServerHandler<OpenIddictServerEvents.ApplyTokenResponseContext>
{
    // OpenIddict's stable error id for "The specified refresh token has already been redeemed."
    private const string RedeemedTokenErrorId = "/ID2012";

    public ValueTask HandleAsync(OpenIddictServerEvents.ApplyTokenResponseContext context)
    {
        if (context.Request?.IsRefreshTokenGrantType() is true
            && string.Equals(context.Response.Error, Errors.InvalidGrant, StringComparison.Ordinal)
            && context.Response.ErrorUri?.EndsWith(RedeemedTokenErrorId, StringComparison.Ordinal) is true)
        {
            securityEvents.RefreshTokenReplayed(context.Request.ClientId, subject: null);
            securityEvents.TokenRevoked(context.Request.ClientId, subject: null, "refresh token replay: authorization chain revoked");
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>Logs each successful call of the revocation endpoint (RFC 7009), never the token itself.</summary>
internal sealed class RevocationAuditor(SecurityEvents securityEvents, IServiceProvider services)
    : IOpenIddictServerHandler<OpenIddictServerEvents.ApplyRevocationResponseContext>
{
    public async ValueTask HandleAsync(OpenIddictServerEvents.ApplyRevocationResponseContext context)
    {
        if (!string.IsNullOrEmpty(context.Response.Error))
        {
            return;
        }

        securityEvents.TokenRevoked(context.Request?.ClientId, subject: null, "revocation endpoint");

        // A revoked access token is a self-contained JWT that stays valid until it expires: publish its id so the
        // Gateway and the Api refuse it now. OpenIddict has already validated the token to get this far.
        if (services.GetService<RevokedTokens>() is { } revoked
            && context.Request?.Token is { Length: > 0 } token
            && new JsonWebTokenHandler().CanReadToken(token))
        {
            var jwt = new JsonWebToken(token);
            if (jwt.TryGetPayloadValue<string>("jti", out var tokenId) && !string.IsNullOrEmpty(tokenId))
            {
                try
                {
                    await revoked.RevokeAsync(tokenId, jwt.ValidTo);
                }
                catch (Exception exception) when (exception is StackExchange.Redis.RedisException or TimeoutException)
                {
                    // Revoked here, but the services cannot be told: they accept it until it expires (<= 15 min).
                    securityEvents.TokenRevoked(context.Request?.ClientId, subject: null, $"not propagated: {exception.GetType().Name}");
                }
            }
        }
    }
}
