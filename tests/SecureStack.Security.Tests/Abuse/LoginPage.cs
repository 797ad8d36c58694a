using System.Net;
using System.Text.RegularExpressions;

namespace SecureStack.Security.Tests.Abuse;

/// <summary>Identity's login form through the Gateway, as a browser (or a script posing as one) fills it in.</summary>
internal static partial class LoginPage
{
    // The fixture's clients follow redirects: a successful login ends on the signed-in page, a refused one is a 401.
    public const HttpStatusCode SignedIn = HttpStatusCode.OK;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    /// <summary>The form's antiforgery token (its cookie stays in the client's cookie jar), reusable for many posts.</summary>
    public static async Task<string> AntiforgeryTokenAsync(HttpClient client)
    {
        var page = await client.GetStringAsync("/account/login", Cancellation);
        return WebUtility.HtmlDecode(AntiforgeryField().Match(page).Groups[1].Value);
    }

    public static async Task<(HttpStatusCode Status, Version Version)> PostAsync(HttpClient client, string antiforgeryToken, string email, string password)
    {
        using var response = await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = antiforgeryToken,
            ["UserName"] = email,
            ["Password"] = password,
            ["ReturnUrl"] = string.Empty,
        }), Cancellation);
        return (response.StatusCode, response.Version);
    }

    /// <summary>Whether <paramref name="password"/> signs in, tried from a client address of its own.</summary>
    public static async Task<bool> SignsInAsync(AbuseFixture fixture, string email, string password)
    {
        using var owner = fixture.CreateGatewayClientFrom(fixture.NewClientAddress());
        var status = (await PostAsync(owner, await AntiforgeryTokenAsync(owner), email, password)).Status;
        Assert.True(status is SignedIn or HttpStatusCode.Unauthorized, $"the login page answered {status}");
        return status == SignedIn;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
