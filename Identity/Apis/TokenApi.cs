using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using SecureStack.Identity.Accounts;
using SecureStack.Identity.Data;
using SecureStack.Identity.TokenServer;
using SecureStack.ServiceDefaults.Security;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace SecureStack.Identity.Apis;

/// <summary>
/// The token endpoint. OpenIddict has already authenticated the client, checked its grant and scope
/// permissions, PKCE and the presented code or token before this runs; this decides who the token is for.
/// </summary>
public static class TokenApi
{
    public static IEndpointRouteBuilder MapTokenApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/connect/token", ExchangeAsync)
            .AllowAnonymous()
            .DisableAntiforgery()
            .WithTags("OAuth");
        return app;
    }

    public static async Task<Results<SignInHttpResult, ForbidHttpResult>> ExchangeAsync(
        HttpContext httpContext,
        TokenPrincipalFactory principals,
        PasswordSignIn passwordSignIn,
        AccountLockout lockout,
        UserManager<ApplicationUser> userManager,
        SignInManager<ApplicationUser> signInManager,
        IHostEnvironment environment,
        SecurityEvents securityEvents,
        CancellationToken cancellationToken)
    {
        var request = httpContext.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenID Connect request cannot be retrieved.");

        ClaimsPrincipal principal;
        if (request.IsClientCredentialsGrantType())
        {
            principal = await principals.ForClientAsync(request.ClientId!, request.GetScopes(), cancellationToken);
        }
        else if (request.IsPasswordGrantType())
        {
            // OpenIddict only enables the grant in Development; refuse here too in case that ever changes.
            if (!environment.IsDevelopment())
            {
                return Reject(Errors.UnsupportedGrantType, "The password grant is not supported.");
            }

            var user = await passwordSignIn.CheckAsync(request.Username, request.Password, cancellationToken);
            if (user is null)
            {
                return Reject(Errors.InvalidGrant, PasswordSignIn.GenericError);
            }

            principal = await principals.ForUserAsync(user, request.GetScopes(), cancellationToken);
        }
        else if (request.IsAuthorizationCodeGrantType() || request.IsDeviceCodeGrantType() || request.IsRefreshTokenGrantType())
        {
            var stored = (await httpContext.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme)).Principal;
            var user = stored?.GetClaim(Claims.Subject) is { } subject ? await userManager.FindByIdAsync(subject) : null;

            // The user may have been deleted, disabled or signed out everywhere (new security stamp) since the code
            // or refresh token was issued. A lockout by failed passwords does not end the session: anyone can cause
            // one by guessing, so it only refuses new password sign-ins (F7: lockout must not sign the owner out).
            if (stored is null || user is null || !await signInManager.CanSignInAsync(user) || lockout.IsDisabled(user)
                || !await principals.IsCurrentAsync(stored, user))
            {
                return Reject(Errors.InvalidGrant, "The token is no longer valid.");
            }

            principal = await principals.ForRedemptionAsync(stored, user, cancellationToken);
        }
        else
        {
            return Reject(Errors.UnsupportedGrantType, "The specified grant type is not supported.");
        }

        securityEvents.TokenIssued(request.ClientId, principal.GetClaim(Claims.Subject), string.Join(' ', principal.GetScopes()), request.GrantType!);
        return TypedResults.SignIn(principal, authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    internal static ForbidHttpResult Reject(string error, string description) =>
        TypedResults.Forbid(
            new AuthenticationProperties(new Dictionary<string, string?>
            {
                [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
                [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
            }),
            [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
}
