using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using SecureStack.Identity.Accounts;
using SecureStack.Identity.Data;
using SecureStack.Identity.TokenServer;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace SecureStack.Identity.Apis;

/// <summary>Authorization code flow (with PKCE, enforced by OpenIddict), userinfo and end-session.</summary>
public static class AuthorizationApi
{
    public static IEndpointRouteBuilder MapAuthorizationApi(this IEndpointRouteBuilder app)
    {
        var connect = app.MapGroup("/connect").AllowAnonymous().WithTags("OAuth");
        connect.MapGet("/authorize", AuthorizeAsync);
        connect.MapMethods("/userinfo", [HttpMethods.Get, HttpMethods.Post], UserInfoAsync).DisableAntiforgery();
        connect.MapMethods("/endsession", [HttpMethods.Get, HttpMethods.Post], EndSessionAsync).DisableAntiforgery();
        return app;
    }

    public static async Task<Results<SignInHttpResult, ChallengeHttpResult, ForbidHttpResult>> AuthorizeAsync(
        HttpContext httpContext,
        UserManager<ApplicationUser> userManager,
        SignInManager<ApplicationUser> signInManager,
        AccountLockout lockout,
        TokenPrincipalFactory principals,
        CancellationToken cancellationToken)
    {
        var request = httpContext.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenID Connect request cannot be retrieved.");

        var session = await httpContext.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        var user = session.Succeeded ? await userManager.GetUserAsync(session.Principal) : null;
        // A disabled account's cookie no longer completes a request; a merely locked-out one's still does (see AccountLockout).
        if (user is null || request.HasPromptValue(PromptValues.Login) || !await signInManager.CanSignInAsync(user) || lockout.IsDisabled(user))
        {
            if (request.HasPromptValue(PromptValues.None))
            {
                return Reject(Errors.LoginRequired, "The user is not logged in.");
            }

            // Back to this same authorize request after login; prompt=login is dropped so it does not loop.
            var parameters = httpContext.Request.Query
                .Where(parameter => parameter.Key != Parameters.Prompt)
                .Select(parameter => KeyValuePair.Create(parameter.Key, parameter.Value));
            var returnUrl = httpContext.Request.PathBase + httpContext.Request.Path + QueryString.Create(parameters);
            return TypedResults.Challenge(new AuthenticationProperties { RedirectUri = returnUrl }, [IdentityConstants.ApplicationScheme]);
        }

        var principal = await principals.ForUserAsync(user, request.GetScopes(), cancellationToken);
        return TypedResults.SignIn(principal, authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    public static async Task<Results<Ok<Dictionary<string, object>>, ChallengeHttpResult>> UserInfoAsync(
        HttpContext httpContext,
        UserManager<ApplicationUser> userManager)
    {
        var token = (await httpContext.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme)).Principal;
        var user = token?.GetClaim(Claims.Subject) is { } subject ? await userManager.FindByIdAsync(subject) : null;
        if (token is null || user is null)
        {
            return TypedResults.Challenge(
                new AuthenticationProperties(new Dictionary<string, string?>
                {
                    [OpenIddictServerAspNetCoreConstants.Properties.Error] = Errors.InvalidToken,
                    [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = "The access token is not valid for a user.",
                }),
                [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
        }

        // Only what the granted scopes allow (OpenID Connect Core 5.4).
        var claims = new Dictionary<string, object>(StringComparer.Ordinal) { [Claims.Subject] = user.Id };
        if (token.HasScope(Scopes.Profile))
        {
            claims[Claims.Name] = user.UserName ?? string.Empty;
        }

        if (token.HasScope(Scopes.Email))
        {
            claims[Claims.Email] = user.Email ?? string.Empty;
            claims[Claims.EmailVerified] = user.EmailConfirmed;
        }

        if (token.HasScope(Scopes.Roles))
        {
            claims[Claims.Role] = await userManager.GetRolesAsync(user);
        }

        return TypedResults.Ok(claims);
    }

    public static async Task<SignOutHttpResult> EndSessionAsync(SignInManager<ApplicationUser> signInManager)
    {
        await signInManager.SignOutAsync();

        // OpenIddict redirects to the validated post_logout_redirect_uri, or here when there is none.
        return TypedResults.SignOut(
            new AuthenticationProperties { RedirectUri = "/account/login" },
            [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
    }

    private static ForbidHttpResult Reject(string error, string description) => TokenApi.Reject(error, description);
}
