using System.Security.Claims;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Core;
using SecureStack.Identity.Options;
using SecureStack.ServiceDefaults.Authentication;
using SecureStack.ServiceDefaults.Security;
using StackExchange.Redis;

namespace SecureStack.Identity.TokenServer;

/// <summary>
/// Tells the resource servers (through <see cref="RevocationStore"/>) what Identity revoked. One per request, so
/// the revocation endpoint can answer 503 when the revocation could not be published (<see cref="Failed"/>).
/// </summary>
internal sealed class RevocationPublisher(
    IServiceProvider services, IOptions<TokenServerOptions> tokenServer, TimeProvider time, SecurityEvents securityEvents)
{
    /// <summary>Whether a publication in this request failed: the resource servers accept its tokens until they expire.</summary>
    public bool Failed { get; private set; }

    /// <summary>
    /// Publishes a revocation, living until the denied token could expire: its own <c>exp</c> when known, never
    /// longer than the configured access-token lifetime (a forged far <c>exp</c> cannot make an entry live for
    /// years), plus the clock skew a resource server may allow past <c>exp</c>.
    /// </summary>
    public async Task PublishAsync(RevocationKind kind, string? id, DateTimeOffset? tokenExpires, string? clientId)
    {
        // Development without Redis only: the self-check stops start-up elsewhere.
        if (services.GetService<RevocationStore>() is not { } store)
        {
            return;
        }

        if (!RevocationEntry.IsValidId(id))
        {
            Fail(clientId, kind, "id missing or not an id Identity issues");
            return;
        }

        var now = time.GetUtcNow();
        var longest = now + tokenServer.Value.AccessTokenLifetime;
        var expires = (tokenExpires is { } exp && exp < longest ? exp : longest) + JwtBearerSecuritySelfCheck.MaxClockSkew;
        try
        {
            if (!await store.AddAsync(new RevocationEntry(kind, id!, expires)))
            {
                Fail(clientId, kind, "the revocation list is full");
            }
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            Fail(clientId, kind, exception.GetType().Name);
        }
    }

    /// <summary>Puts an access token OpenIddict validated on the deny-list by its <c>jti</c>, for as long as it could still be used.</summary>
    public Task PublishAccessTokenAsync(ClaimsPrincipal principal, string? clientId) =>
        PublishAsync(RevocationKind.Token, principal.GetClaim(SecureStackClaimTypes.TokenId), principal.GetExpirationDate(), clientId);

    private void Fail(string? clientId, RevocationKind kind, string reason)
    {
        Failed = true;
        securityEvents.RevocationNotPublished(clientId, kind.ToString(), reason);
    }
}

/// <summary>
/// OpenIddict's token manager, publishing every chain revocation: when OpenIddict revokes all tokens of an
/// authorization (a replayed refresh token, a revoked refresh token, a logout or an administrator), the
/// authorization id goes on the deny-list, so its access tokens are refused at the Gateway and the Api too.
/// </summary>
internal sealed class PublishingTokenManager<TToken>(
    IOpenIddictTokenCache<TToken> cache,
    ILogger<OpenIddictTokenManager<TToken>> logger,
    IOptionsMonitor<OpenIddictCoreOptions> options,
    IOpenIddictTokenStore<TToken> store,
    RevocationPublisher publisher) : OpenIddictTokenManager<TToken>(cache, logger, options, store)
    where TToken : class
{
    public override async ValueTask<long> RevokeByAuthorizationIdAsync(string identifier, CancellationToken cancellationToken = default)
    {
        var revoked = await base.RevokeByAuthorizationIdAsync(identifier, cancellationToken);
        await publisher.PublishAsync(RevocationKind.Authorization, identifier, tokenExpires: null, clientId: null);
        return revoked;
    }
}

/// <summary>OpenIddict's authorization manager, publishing a revoked authorization like <see cref="PublishingTokenManager{TToken}"/>.</summary>
internal sealed class PublishingAuthorizationManager<TAuthorization>(
    IOpenIddictAuthorizationCache<TAuthorization> cache,
    ILogger<OpenIddictAuthorizationManager<TAuthorization>> logger,
    IOptionsMonitor<OpenIddictCoreOptions> options,
    IOpenIddictAuthorizationStore<TAuthorization> store,
    RevocationPublisher publisher) : OpenIddictAuthorizationManager<TAuthorization>(cache, logger, options, store)
    where TAuthorization : class
{
    public override async ValueTask<bool> TryRevokeAsync(TAuthorization authorization, CancellationToken cancellationToken = default)
    {
        var revoked = await base.TryRevokeAsync(authorization, cancellationToken);
        if (revoked)
        {
            await publisher.PublishAsync(RevocationKind.Authorization, await GetIdAsync(authorization, cancellationToken), tokenExpires: null, clientId: null);
        }

        return revoked;
    }
}
