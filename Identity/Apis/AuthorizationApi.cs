using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Antiforgery;
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

/// <summary>Authorization code flow (with PKCE, enforced by OpenIddict), userinfo and end-session.</summary>
public static class AuthorizationApi
{
    public static IEndpointRouteBuilder MapAuthorizationApi(this IEndpointRouteBuilder app)
    {
        var connect = app.MapGroup("/connect").AllowAnonymous().WithTags("OAuth");
        connect.MapGet("/authorize", AuthorizeAsync);
        connect.MapMethods("/userinfo", [HttpMethods.Get, HttpMethods.Post], UserInfoAsync).DisableAntiforgery();
        connect.MapGet("/endsession", ConfirmEndSession).WithSecurityHeadersPolicy(SecurityHeadersExtensions.HtmlPagePolicy);
        connect.MapPost("/endsession", EndSessionAsync).WithSecurityHeadersPolicy(SecurityHeadersExtensions.HtmlPagePolicy);
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

    /// <summary>
    /// Logout CSRF: any site can make a browser GET this URL (an image tag), so a GET only asks. The page posts the
    /// request's parameters back with an antiforgery token (OpenID Connect RP-Initiated Logout 1.0 §2 lets the OP ask
    /// the user to confirm).
    /// </summary>
    public static ContentHttpResult ConfirmEndSession(HttpContext httpContext, IAntiforgery antiforgery)
    {
        var request = httpContext.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenID Connect request cannot be retrieved.");

        var parameters = string.Concat(request.GetParameters()
            .Select(parameter => HtmlPage.HiddenField(parameter.Key, parameter.Value.ToString())));
        var body = $"""
            <form method="post" action="/connect/endsession">
            {HtmlPage.AntiforgeryField(antiforgery.GetAndStoreTokens(httpContext))}
            {parameters}
            <p>Sign out of SecureStack?</p>
            <p><button type="submit">Sign out</button></p>
            </form>
            """;
        return HtmlPage.Render(httpContext, "Sign out", body);
    }

    /// <summary>Only the confirmation form signs out: a post without its antiforgery token is refused.</summary>
    public static async Task<Results<SignOutHttpResult, ProblemHttpResult>> EndSessionAsync(
        HttpContext httpContext,
        IAntiforgery antiforgery,
        SignInManager<ApplicationUser> signInManager)
    {
        if (!await antiforgery.IsRequestValidAsync(httpContext))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The sign-out was not confirmed on this site.");
        }

        await signInManager.SignOutAsync();

        // OpenIddict redirects to the validated post_logout_redirect_uri, or here when there is none.
        return TypedResults.SignOut(
            new AuthenticationProperties { RedirectUri = "/account/login" },
            [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
    }

    private static ForbidHttpResult Reject(string error, string description) => TokenApi.Reject(error, description);
}
