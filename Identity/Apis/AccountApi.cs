using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SecureStack.Identity.Accounts;
using SecureStack.Identity.Data;
using SecureStack.Identity.Options;
using SecureStack.ServiceDefaults.Security;

namespace SecureStack.Identity.Apis;

public sealed record RegisterRequest(
    [property: Required, EmailAddress, StringLength(256)] string Email,
    [property: Required, StringLength(256)] string Password);

public sealed record LoginForm(string? UserName, string? Password, string? ReturnUrl);

/// <summary>Registration (JSON) and the login page (HTML form, antiforgery-protected).</summary>
public static class AccountApi
{
    public const string RegistrationAccepted = "If the address can be registered, the account is ready.";
    public const string SignedInPage = "/account/login?signedIn=1";

    public static IEndpointRouteBuilder MapAccountApi(this IEndpointRouteBuilder app)
    {
        var account = app.MapGroup("/account").AllowAnonymous().WithTags("Account");
        account.MapPost("/register", RegisterAsync).DisableAntiforgery();
        account.MapGet("/login", ShowLogin).WithSecurityHeadersPolicy(SecurityHeadersExtensions.HtmlPagePolicy);
        account.MapPost("/login", LoginAsync).WithSecurityHeadersPolicy(SecurityHeadersExtensions.HtmlPagePolicy);
        return app;
    }

    /// <summary>
    /// An address that is already registered gets the same 202 as a new one, so the endpoint cannot be used to
    /// find out who has an account. Password-policy failures are not secret and come back as a ValidationProblem.
    /// </summary>
    public static async Task<Results<Accepted<RegistrationResponse>, ValidationProblem, ProblemHttpResult>> RegisterAsync(
        RegisterRequest request,
        AccountCreation accounts,
        IOptions<RegistrationOptions> registration,
        SecurityEvents securityEvents,
        HttpContext httpContext)
    {
        if (registration.Value.Enabled != true)
        {
            // 404: with registration closed, the endpoint is not offered at all.
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Registration is not offered here.");
        }

        var user = new ApplicationUser { UserName = request.Email, Email = request.Email };
        IdentityResult result;
        try
        {
            result = await accounts.CreateAsync(user, request.Password, roles: [], httpContext.RequestAborted);
        }
        catch (DbUpdateException exception) when (exception.IsUniqueViolation())
        {
            // A concurrent registration of the same address passed Identity's check too and stored first: the
            // same answer as for any taken address (no 500, nothing that tells the two cases apart).
            result = IdentityResult.Failed(new IdentityError { Code = nameof(IdentityErrorDescriber.DuplicateEmail) });
        }

        var errors = result.Errors
            .Where(error => error.Code is not (nameof(IdentityErrorDescriber.DuplicateUserName) or nameof(IdentityErrorDescriber.DuplicateEmail)))
            .GroupBy(error => error.Code.Contains("Password", StringComparison.Ordinal) || error.Code == CommonPasswordValidator.ErrorCode
                ? nameof(RegisterRequest.Password)
                : nameof(RegisterRequest.Email))
            .ToDictionary(group => group.Key, group => group.Select(error => error.Description).ToArray());

        if (errors.Count > 0)
        {
            securityEvents.ValidationFailed(httpContext.Request.Path, errors.Sum(pair => pair.Value.Length));
            return TypedResults.ValidationProblem(errors);
        }

        return TypedResults.Accepted((string?)null, new RegistrationResponse(RegistrationAccepted));
    }

    public static ContentHttpResult ShowLogin(HttpContext httpContext, IAntiforgery antiforgery, string? returnUrl) =>
        LoginPage(httpContext, antiforgery, returnUrl, userName: null, error: null);

    public static async Task<Results<RedirectHttpResult, ContentHttpResult>> LoginAsync(
        [FromForm] LoginForm form,
        HttpContext httpContext,
        IAntiforgery antiforgery,
        PasswordSignIn passwordSignIn,
        SignInManager<ApplicationUser> signInManager)
    {
        var user = await passwordSignIn.CheckAsync(form.UserName, form.Password, httpContext.RequestAborted);
        if (user is null)
        {
            return LoginPage(httpContext, antiforgery, form.ReturnUrl, form.UserName, PasswordSignIn.GenericError);
        }

        await signInManager.SignInAsync(user, isPersistent: false);

        return TypedResults.LocalRedirect(SafeReturnUrl(form.ReturnUrl) ?? SignedInPage);
    }

    /// <summary>
    /// Only a local path: an absolute ReturnUrl would make the login page an open redirector. The check is the
    /// framework's own (the one <c>LocalRedirect</c> enforces), so a URL it would refuse (<c>/\t/evil</c>, control
    /// characters) falls back to the default page instead of throwing after a correct login.
    /// </summary>
    internal static string? SafeReturnUrl(string? url) => RedirectHttpResult.IsLocalUrl(url) ? url : null;

    private static ContentHttpResult LoginPage(HttpContext httpContext, IAntiforgery antiforgery, string? returnUrl, string? userName, string? error)
    {
        var tokens = antiforgery.GetAndStoreTokens(httpContext);
        var body = $"""
            {HtmlPage.Error(error)}
            <form method="post" action="/account/login">
            {HtmlPage.AntiforgeryField(tokens)}
            <input type="hidden" name="ReturnUrl" value="{HtmlPage.Encode(SafeReturnUrl(returnUrl))}">
            <p><label for="username">Email</label><br>
            <input id="username" name="UserName" type="email" autocomplete="username" required value="{HtmlPage.Encode(userName)}"></p>
            <p><label for="password">Password</label><br>
            <input id="password" name="Password" type="password" autocomplete="current-password" required minlength="12"></p>
            <p><button type="submit">Sign in</button></p>
            </form>
            """;
        return HtmlPage.Render(httpContext, "Sign in", body, error is null ? StatusCodes.Status200OK : StatusCodes.Status401Unauthorized);
    }
}

public sealed record RegistrationResponse(string Message);
