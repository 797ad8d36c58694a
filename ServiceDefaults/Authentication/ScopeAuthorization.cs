using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;

namespace SecureStack.ServiceDefaults.Authentication;

public static class ScopeAuthorizationExtensions
{
    /// <summary>Requires <paramref name="scope"/> among the token's granted scopes.</summary>
    public static AuthorizationPolicyBuilder RequireScope(this AuthorizationPolicyBuilder policy, string scope) =>
        policy.RequireAssertion(context => context.User.HasScope(scope));

    /// <summary>
    /// True when a <c>scope</c> claim grants <paramref name="scope"/>. The claim is space-separated (RFC 8693 / 9068);
    /// an issuer that writes a JSON array yields one claim per scope. Matching is exact and case-sensitive, so
    /// <c>api.readx</c> or <c>API.READ</c> grant nothing.
    /// </summary>
    public static bool HasScope(this ClaimsPrincipal user, string scope) =>
        user.FindAll(SecureStackClaimTypes.Scope)
            .SelectMany(claim => claim.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Contains(scope, StringComparer.Ordinal);
}
