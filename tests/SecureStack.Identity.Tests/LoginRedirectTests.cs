using System.Net;
using SecureStack.Identity.Tests.Infrastructure;

namespace SecureStack.Identity.Tests;

/// <summary>F13: the login page's ReturnUrl is judged by the framework's local-URL check, the same one that redirects.</summary>
public sealed class LoginRedirectTests(IdentityServerFactory factory)
{
    private const string Password = "a long and unusual passphrase 7";
    private const string DefaultPage = "/account/login?signedIn=1";

    public static TheoryData<string> NotLocal =>
    [
        "//evil.example",
        "/\\evil.example",
        "/\t/evil.example",
        "/\r\n/evil.example",
        "/\u007f/evil.example",
        "\\\\evil.example",
        "https://evil.example",
        "http:/evil.example",
        "%2f%2fevil.example",
        " //evil.example",
        "evil.example",
    ];

    [Theory]
    [MemberData(nameof(NotLocal))]
    public async Task AReturnUrlThatIsNotLocalGivesTheDefaultPageAfterACorrectLogin(string returnUrl)
    {
        var browser = factory.CreateBrowser();
        var userName = await OAuth.RegisterAsync(browser, Password);

        using var login = await OAuth.LoginAsync(browser, userName, Password, returnUrl);

        Assert.True(login.StatusCode == HttpStatusCode.Redirect, $"{login.StatusCode}: {await login.Content.ReadAsStringAsync(OAuth.Cancel)}");
        Assert.Equal(DefaultPage, login.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task AReturnUrlWithANulCharacterIsRefusedAsBadInputNotAServerError()
    {
        var browser = factory.CreateBrowser();
        var userName = await OAuth.RegisterAsync(browser, Password);

        using var login = await OAuth.LoginAsync(browser, userName, Password, "/\u0000/evil.example");

        await SecurityBaseline.AssertSafeProblemAsync(login, HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("/connect/authorize?client_id=securestack-web&scope=openid")]
    [InlineData("/%2f%2fevil.example")]
    [InlineData("~/account/login")]
    public async Task ALocalReturnUrlIsFollowed(string returnUrl)
    {
        var browser = factory.CreateBrowser();
        var userName = await OAuth.RegisterAsync(browser, Password);

        using var login = await OAuth.LoginAsync(browser, userName, Password, returnUrl);

        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.NotEqual(DefaultPage, login.Headers.Location?.OriginalString);
        Assert.False(login.Headers.Location!.IsAbsoluteUri, $"{returnUrl} redirected off the site: {login.Headers.Location}");
    }
}
