using System.Collections.Immutable;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using SecureStack.Identity.Data;
using SecureStack.Identity.Options;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace SecureStack.Identity.TokenServer;

/// <summary>
/// Builds the principal OpenIddict turns into tokens. Claims are chosen one by one (never "all user claims")
/// and each is given explicit destinations, so nothing private reaches a token by accident.
/// </summary>
public sealed class TokenPrincipalFactory(
    UserManager<ApplicationUser> userManager,
    IOpenIddictScopeManager scopeManager,
    IOptions<TokenServerOptions> options)
{
    /// <summary>A machine client acts as itself: sub = client_id, roles from its configuration.</summary>
    public async Task<ClaimsPrincipal> ForClientAsync(string clientId, ImmutableArray<string> scopes, CancellationToken cancellationToken)
    {
        var identity = NewIdentity();
        identity.SetClaim(Claims.Subject, clientId);
        var roles = options.Value.Clients.TryGetValue(clientId, out var client) ? client.Roles : [];
        identity.SetClaims(Claims.Role, [.. roles]);
        return await FinishAsync(identity, scopes, cancellationToken);
    }

    /// <summary>A new sign-in (authorization endpoint, password grant).</summary>
    public async Task<ClaimsPrincipal> ForUserAsync(ApplicationUser user, ImmutableArray<string> scopes, CancellationToken cancellationToken)
    {
        var identity = NewIdentity();
        await SetUserClaimsAsync(identity, user);
        return await FinishAsync(identity, scopes, cancellationToken);
    }

    /// <summary>
    /// A code, device code or refresh token being redeemed: keep OpenIddict's private claims (they tie the new
    /// tokens to the same authorization, which is what lets a replay revoke the whole chain), refresh the user's.
    /// </summary>
    public async Task<ClaimsPrincipal> ForRedemptionAsync(ClaimsPrincipal stored, ApplicationUser user, CancellationToken cancellationToken)
    {
        var identity = new ClaimsIdentity(stored.Claims, TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
        await SetUserClaimsAsync(identity, user);
        return await FinishAsync(identity, stored.GetScopes(), cancellationToken);
    }

    /// <summary>
    /// Whether the user's security stamp is still the one the code or refresh token was issued with. A password
    /// change or an operator's "sign out everywhere" (<c>UpdateSecurityStampAsync</c>) renews the stamp and so ends
    /// every refresh token; a lockout does not touch it. A token without a stamp is refused (fail closed).
    /// </summary>
    public async Task<bool> IsCurrentAsync(ClaimsPrincipal stored, ApplicationUser user) =>
        stored.GetClaim(userManager.Options.ClaimsIdentity.SecurityStampClaimType) is { Length: > 0 } stamp
            && string.Equals(stamp, await userManager.GetSecurityStampAsync(user), StringComparison.Ordinal);

    private static ClaimsIdentity NewIdentity() =>
        new(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);

    private async Task SetUserClaimsAsync(ClaimsIdentity identity, ApplicationUser user)
    {
        identity.SetClaim(Claims.Subject, await userManager.GetUserIdAsync(user))
            .SetClaim(Claims.Name, await userManager.GetUserNameAsync(user))
            .SetClaim(Claims.Email, await userManager.GetEmailAsync(user))
            .SetClaims(Claims.Role, [.. await userManager.GetRolesAsync(user)])
            // No destination: kept only in OpenIddict's own encrypted codes and refresh tokens, for IsCurrentAsync.
            .SetClaim(userManager.Options.ClaimsIdentity.SecurityStampClaimType, await userManager.GetSecurityStampAsync(user));
    }

    private async Task<ClaimsPrincipal> FinishAsync(ClaimsIdentity identity, ImmutableArray<string> scopes, CancellationToken cancellationToken)
    {
        identity.SetScopes(scopes);
        identity.SetResources(await scopeManager.ListResourcesAsync(scopes, cancellationToken).ToListAsync(cancellationToken));
        identity.SetDestinations(claim => Destinations(claim, identity));
        return new ClaimsPrincipal(identity);
    }

    private static IEnumerable<string> Destinations(Claim claim, ClaimsIdentity identity) => claim.Type switch
    {
        Claims.Subject => [OpenIddictConstants.Destinations.AccessToken, OpenIddictConstants.Destinations.IdentityToken],

        // The Api authorizes on roles, so they always travel in the access token; the id token only on request.
        Claims.Role when identity.HasScope(Scopes.Roles) =>
            [OpenIddictConstants.Destinations.AccessToken, OpenIddictConstants.Destinations.IdentityToken],
        Claims.Role => [OpenIddictConstants.Destinations.AccessToken],

        Claims.Name when identity.HasScope(Scopes.Profile) =>
            [OpenIddictConstants.Destinations.AccessToken, OpenIddictConstants.Destinations.IdentityToken],
        Claims.Name => [OpenIddictConstants.Destinations.AccessToken],

        Claims.Email when identity.HasScope(Scopes.Email) => [OpenIddictConstants.Destinations.IdentityToken],

        _ => [],
    };
}
