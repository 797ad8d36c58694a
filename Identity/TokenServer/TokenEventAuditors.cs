using OpenIddict.Abstractions;
using OpenIddict.Server;
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

/// <summary>
/// Logs each successful call of the revocation endpoint (RFC 7009), never the token itself. Publishing to the
/// resource servers is <see cref="PublishRevocation"/>'s job: this runs after OpenIddict turned "invalid token"
/// into an empty 200, so it cannot tell a revoked token from a forged one.
/// </summary>
internal sealed class RevocationAuditor(SecurityEvents securityEvents)
    : IOpenIddictServerHandler<OpenIddictServerEvents.ApplyRevocationResponseContext>
{
    public ValueTask HandleAsync(OpenIddictServerEvents.ApplyRevocationResponseContext context)
    {
        if (string.IsNullOrEmpty(context.Response.Error))
        {
            securityEvents.TokenRevoked(context.Request?.ClientId, subject: null, "revocation endpoint");
        }

        return ValueTask.CompletedTask;
    }
}
