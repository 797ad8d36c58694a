using Microsoft.AspNetCore;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
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
/// <see cref="PublishingTokenManager{TToken}"/> publishes. When Redis cannot take it the answer is 503
/// <c>temporarily_unavailable</c> (RFC 7009 §2.2.1; <see cref="AnswerUnavailableWith503"/>): the token is revoked
/// at Identity all the same (a stolen refresh token must stop minting access tokens at once, whatever Redis does),
/// and the client's retry publishes it (<see cref="RepublishRevokedToken"/>).
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
            await publisher.PublishAccessTokenAsync(principal, context.Request.ClientId);
        }
        else if (principal.HasTokenType(TokenTypeIdentifiers.RefreshToken) && principal.GetAuthorizationId() is { Length: > 0 } authorization)
        {
            await tokens.RevokeByAuthorizationIdAsync(authorization);
        }

        if (publisher.Failed)
        {
            context.Reject(error: Errors.TemporarilyUnavailable, description: RepublishRevokedToken.RetryDescription);
        }
    }
}

/// <summary>
/// Makes a revocation answered 503 retryable. OpenIddict marks the token revoked before
/// <see cref="PublishRevocation"/> runs, so the client's retry would find it revoked, get OpenIddict's empty 200
/// (RFC 7009 §2.2: an invalid token is not an error) and never be published: the resource servers would accept
/// the token until it expires although the client was told to retry. So while OpenIddict validates the token of
/// a revocation request (signature and lifetime checked, its database entry not yet), a token already revoked
/// at Identity and presented by the client it was issued to is published again, and a publication that fails
/// again answers 503 again. Publishing is idempotent (an entry is never shortened); an authorization entry
/// published again lives an access-token lifetime from now, longer than needed but bounded, one per revoked chain.
/// </summary>
internal sealed class RepublishRevokedToken(RevocationPublisher publisher, IOpenIddictTokenManager tokens)
    : IOpenIddictServerHandler<OpenIddictServerEvents.ValidateTokenContext>
{
    public const string RetryDescription = "The token is revoked at Identity, but the resource servers could not be told yet: retry the revocation.";

    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<OpenIddictServerEvents.ValidateTokenContext>()
            .UseScopedHandler<RepublishRevokedToken>()
            .SetOrder(OpenIddictServerHandlers.Protection.ValidateTokenEntry.Descriptor.Order - 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(OpenIddictServerEvents.ValidateTokenContext context)
    {
        // Only the client the token was issued to (as RequireTokenIssuedToCaller, which runs later).
        if (context.EndpointType != OpenIddictServerEndpointType.Revocation
            || context.Principal is not { } principal
            || context.Request?.ClientId is not { Length: > 0 } clientId
            || !principal.HasPresenter(clientId)
            || (context.TokenId ?? principal.GetTokenId()) is not { Length: > 0 } entryId
            || await tokens.FindByIdAsync(entryId, context.CancellationToken) is not { } token
            || !await tokens.HasStatusAsync(token, Statuses.Revoked, context.CancellationToken))
        {
            return;
        }

        if (principal.HasTokenType(TokenTypeIdentifiers.AccessToken))
        {
            await publisher.PublishAccessTokenAsync(principal, clientId);
        }
        else if (principal.HasTokenType(TokenTypeIdentifiers.RefreshToken) && principal.GetAuthorizationId() is { Length: > 0 } authorization)
        {
            await publisher.PublishAsync(RevocationKind.Authorization, authorization, tokenExpires: null, clientId);
        }

        if (publisher.Failed)
        {
            context.Reject(error: Errors.TemporarilyUnavailable, description: RetryDescription);
        }
    }
}

/// <summary>
/// RFC 7009 §2.2.1: <c>temporarily_unavailable</c> is answered 503 (OpenIddict answers every error but
/// <c>server_error</c> and the authentication errors with 400), with a Retry-After for the client's retry.
/// The body stays OAuth's error object (RFC 6749 §5.2), which revocation clients parse, not ProblemDetails.
/// </summary>
internal sealed class AnswerUnavailableWith503 : IOpenIddictServerHandler<OpenIddictServerEvents.ApplyRevocationResponseContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<OpenIddictServerEvents.ApplyRevocationResponseContext>()
            .AddFilter<OpenIddictServerAspNetCoreHandlerFilters.RequireHttpRequest>()
            .UseSingletonHandler<AnswerUnavailableWith503>()
            .SetOrder(OpenIddictServerAspNetCoreHandlers.AttachHttpResponseCode<OpenIddictServerEvents.ApplyRevocationResponseContext>.Descriptor.Order + 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(OpenIddictServerEvents.ApplyRevocationResponseContext context)
    {
        if (string.Equals(context.Response.Error, Errors.TemporarilyUnavailable, StringComparison.Ordinal)
            && context.Transaction.GetHttpRequest()?.HttpContext.Response is { } response)
        {
            response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            response.Headers.RetryAfter = "5";
        }

        return ValueTask.CompletedTask;
    }
}
