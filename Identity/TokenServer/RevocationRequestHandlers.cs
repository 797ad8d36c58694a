using OpenIddict.Abstractions;
using OpenIddict.Server;
using SecureStack.ServiceDefaults.Authentication;
using SecureStack.ServiceDefaults.Security;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace SecureStack.Identity.TokenServer;

/// <summary>
/// RFC 7009 §2.1: only the client a token was issued to may revoke it. OpenIddict also lets a token's audience
/// (a resource server) revoke it; here the token must name the caller as its presenter. Anyone can claim to be a
/// public client, so without this an anonymous caller holding someone else's token could end it everywhere.
/// Answered like an invalid token (200, RFC 7009 §2.2), so the caller learns nothing about the token.
/// </summary>
internal sealed class RequireTokenIssuedToCaller(SecurityEvents securityEvents)
    : IOpenIddictServerHandler<OpenIddictServerEvents.ValidateRevocationRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<OpenIddictServerEvents.ValidateRevocationRequestContext>()
            .UseSingletonHandler<RequireTokenIssuedToCaller>()
            .SetOrder(OpenIddictServerHandlers.Revocation.ValidateAuthorizedParty.Descriptor.Order + 1_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(OpenIddictServerEvents.ValidateRevocationRequestContext context)
    {
        if (context.GenericTokenPrincipal is not { } principal || string.IsNullOrEmpty(context.ClientId) || !principal.HasPresenter(context.ClientId))
        {
            securityEvents.RevocationRefused(context.ClientId, "the token was not issued to this client");
            context.Reject(error: Errors.InvalidToken, description: "The token was not issued to this client.");
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// Publishes what OpenIddict has just validated and revoked: runs after OpenIddict's own revocation handler and
/// only when it succeeded (a rejected request stops before this), from the principal OpenIddict validated, never
/// from the raw token text. An access token puts its <c>jti</c> on the deny-list; a refresh token ends its whole
/// authorization (RFC 7009 §2.1: the server SHOULD then invalidate the access tokens of the same grant), which
/// <see cref="PublishingTokenManager{TToken}"/> publishes. Answers 503 (RFC 7009 §2.2.1) when Redis could not take
/// it: the token is revoked at Identity, but the client must know the resource servers were not told.
/// </summary>
internal sealed class PublishRevocation(RevocationPublisher publisher, IOpenIddictTokenManager tokens)
    : IOpenIddictServerHandler<OpenIddictServerEvents.HandleRevocationRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<OpenIddictServerEvents.HandleRevocationRequestContext>()
            .UseScopedHandler<PublishRevocation>()
            .SetOrder(OpenIddictServerHandlers.Revocation.RevokeToken.Descriptor.Order + 1_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(OpenIddictServerEvents.HandleRevocationRequestContext context)
    {
        if (context.GenericTokenPrincipal is not { } principal)
        {
            return;
        }

        if (principal.HasTokenType(TokenTypeIdentifiers.AccessToken))
        {
            await publisher.PublishAsync(RevocationKind.Token, principal.GetClaim(SecureStackClaimTypes.TokenId),
                principal.GetExpirationDate(), context.Request.ClientId);
        }
        else if (principal.HasTokenType(TokenTypeIdentifiers.RefreshToken) && principal.GetAuthorizationId() is { Length: > 0 } authorization)
        {
            await tokens.RevokeByAuthorizationIdAsync(authorization);
        }

        if (publisher.Failed)
        {
            context.Reject(error: Errors.TemporarilyUnavailable,
                description: "The token was revoked, but the resource servers could not be told; they accept it until it expires.");
        }
    }
}
