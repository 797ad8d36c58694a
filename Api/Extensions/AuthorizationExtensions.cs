using Microsoft.AspNetCore.Authorization;
using SecureStack.ServiceDefaults.Authentication;

namespace SecureStack.Api.Extensions;

/// <summary>The Api's policies: scopes say what the client may do, the role says what the user is.</summary>
public static class ApiPolicies
{
    public const string NotesRead = "notes.read";
    public const string NotesWrite = "notes.write";
    public const string Admin = "admin";

    public const string ReadScope = "api.read";
    public const string WriteScope = "api.write";
    public const string AdminScope = "api.admin";
    public const string AdminRole = "admin";

    /// <summary>The scopes each policy demands, for the OpenAPI security requirements.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Scopes = new Dictionary<string, string[]>
    {
        [NotesRead] = [ReadScope],
        [NotesWrite] = [WriteScope],
        [Admin] = [AdminScope],
    };
}

public static class AuthorizationExtensions
{
    public static TBuilder AddApiAuthorization<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        // Every caller has a subject: a user's id, or the client's id for client credentials. Notes are keyed on it.
        var authenticated = new AuthorizationPolicyBuilder()
            .RequireAuthenticatedUser()
            .RequireClaim(SecureStackClaimTypes.Subject)
            .Build();

        builder.Services.AddAuthorizationBuilder()
            // An endpoint that forgets RequireAuthorization is still closed; anonymous is an explicit AllowAnonymous.
            .SetFallbackPolicy(authenticated)
            .SetDefaultPolicy(authenticated)
            .AddPolicy(ApiPolicies.NotesRead, policy => policy.Combine(authenticated).RequireScope(ApiPolicies.ReadScope))
            .AddPolicy(ApiPolicies.NotesWrite, policy => policy.Combine(authenticated).RequireScope(ApiPolicies.WriteScope))
            // Both: the role proves the user is an administrator, the scope proves the user let this client act
            // as one. A client-credentials token has no user and so no role: api.admin alone is not enough.
            .AddPolicy(ApiPolicies.Admin, policy => policy.Combine(authenticated)
                .RequireClaim(SecureStackClaimTypes.Role, ApiPolicies.AdminRole)
                .RequireScope(ApiPolicies.AdminScope));

        return builder;
    }
}
