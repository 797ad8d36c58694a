using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using SecureStack.Identity.Data;
using SecureStack.Identity.TokenServer;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace SecureStack.Identity.Apis;

/// <summary>
/// The device authorization grant's verification page (RFC 8628 §3.3): a signed-in user enters or confirms the
/// code a command-line client shows, and approves or denies it.
/// </summary>
public static class DeviceApi
{
    public const string Approve = "approve";

    public static IEndpointRouteBuilder MapDeviceApi(this IEndpointRouteBuilder app)
    {
        var connect = app.MapGroup("/connect").AllowAnonymous().WithTags("OAuth");
        connect.MapGet("/verify", ShowVerificationAsync).WithSecurityHeadersPolicy(SecurityHeadersExtensions.HtmlPagePolicy);
        connect.MapPost("/verify", VerifyAsync).WithSecurityHeadersPolicy(SecurityHeadersExtensions.HtmlPagePolicy);
        app.MapGet("/account/device-complete", (HttpContext httpContext) =>
                HtmlPage.Render(httpContext, "Device approved", "<p>You can return to your device.</p>"))
            .AllowAnonymous()
            .WithSecurityHeadersPolicy(SecurityHeadersExtensions.HtmlPagePolicy);
        return app;
    }

    public static async Task<Results<ContentHttpResult, ChallengeHttpResult>> ShowVerificationAsync(
        HttpContext httpContext,
        IAntiforgery antiforgery,
        UserManager<ApplicationUser> userManager,
        IOpenIddictApplicationManager applications)
    {
        if (await SignedInUserAsync(httpContext, userManager) is null)
        {
            return ChallengeLogin(httpContext);
        }

        var tokens = antiforgery.GetAndStoreTokens(httpContext);
        var request = httpContext.GetOpenIddictServerRequest();
        var device = string.IsNullOrEmpty(request?.UserCode)
            ? null
            : (await httpContext.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme)).Principal;

        if (device?.GetClaim(Claims.ClientId) is not { } clientId)
        {
            var error = string.IsNullOrEmpty(request?.UserCode) ? null : "That code is not valid or has expired.";
            return HtmlPage.Render(httpContext, "Connect a device", $"""
                {HtmlPage.Error(error)}
                <form method="get" action="/connect/verify">
                <p><label for="user_code">Code shown on your device</label><br>
                <input id="user_code" name="user_code" autocomplete="off" required></p>
                <p><button type="submit">Continue</button></p>
                </form>
                """);
        }

        var application = await applications.FindByClientIdAsync(clientId);
        var clientName = application is null ? clientId : await applications.GetLocalizedDisplayNameAsync(application) ?? clientId;
        return HtmlPage.Render(httpContext, "Connect a device", $"""
            <p><strong>{HtmlPage.Encode(clientName)}</strong> asks for: {HtmlPage.Encode(string.Join(", ", device.GetScopes()))}.</p>
            <form method="post" action="/connect/verify">
            {HtmlPage.AntiforgeryField(tokens)}
            <input type="hidden" name="user_code" value="{HtmlPage.Encode(request!.UserCode)}">
            <p><button type="submit" name="decision" value="{Approve}">Approve</button>
            <button type="submit" name="decision" value="deny">Deny</button></p>
            </form>
            """);
    }

    public static async Task<Results<SignInHttpResult, ForbidHttpResult, ChallengeHttpResult>> VerifyAsync(
        [FromForm(Name = "decision")] string? decision,
        HttpContext httpContext,
        UserManager<ApplicationUser> userManager,
        TokenPrincipalFactory principals,
        CancellationToken cancellationToken)
    {
        var user = await SignedInUserAsync(httpContext, userManager);
        if (user is null)
        {
            return ChallengeLogin(httpContext);
        }

        var device = (await httpContext.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme)).Principal;
        if (device?.GetClaim(Claims.ClientId) is null)
        {
            return TokenApi.Reject(Errors.InvalidToken, "The user code is not valid or has expired.");
        }

        if (!string.Equals(decision, Approve, StringComparison.Ordinal))
        {
            // The device's next poll gets access_denied.
            return TokenApi.Reject(Errors.AccessDenied, "The user denied the device.");
        }

        ClaimsPrincipal principal = await principals.ForUserAsync(user, device.GetScopes(), cancellationToken);
        return TypedResults.SignIn(principal, new AuthenticationProperties { RedirectUri = "/account/device-complete" },
            OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static async Task<ApplicationUser?> SignedInUserAsync(HttpContext httpContext, UserManager<ApplicationUser> userManager)
    {
        var session = await httpContext.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        return session.Succeeded ? await userManager.GetUserAsync(session.Principal) : null;
    }

    private static ChallengeHttpResult ChallengeLogin(HttpContext httpContext) =>
        TypedResults.Challenge(
            new AuthenticationProperties { RedirectUri = httpContext.Request.PathBase + httpContext.Request.Path + httpContext.Request.QueryString },
            [IdentityConstants.ApplicationScheme]);
}
