using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using SecureStack.Identity.Tests.Infrastructure;

namespace SecureStack.Identity.Tests;

public sealed class AuthorizationCodeTests(IdentityServerFactory factory)
{
    private const string Password = "a long and unusual passphrase 7";

    [Fact]
    public async Task FullAuthorizationCodeFlowWithPkceIssuesTokensForTheUser()
    {
        var browser = factory.CreateBrowser();
        var userName = await OAuth.RegisterAsync(browser, Password);
        var (verifier, challenge) = OAuth.NewPkce();
        var authorize = AuthorizationCodeFlow.AuthorizeUrl(challenge, state: "xyz");

        // Not signed in: the authorize endpoint sends the browser to the login page, keeping the request.
        using var toLogin = await browser.GetAsync(authorize, OAuth.Cancel);
        Assert.Equal(HttpStatusCode.Redirect, toLogin.StatusCode);
        var loginUrl = OAuth.Absolute(toLogin.Headers.Location!);
        Assert.Equal("/account/login", loginUrl.AbsolutePath);
        Assert.Equal(authorize, OAuth.Query(loginUrl)["ReturnUrl"]);

        // The login page is its own locked-down document.
        using var page = await browser.GetAsync(loginUrl, OAuth.Cancel);
        Assert.Contains("frame-ancestors 'none'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        var html = await page.Content.ReadAsStringAsync(OAuth.Cancel);
        using var login = await browser.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = OAuth.AntiforgeryToken(html),
            ["UserName"] = userName,
            ["Password"] = Password,
            ["ReturnUrl"] = authorize,
        }), OAuth.Cancel);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal(authorize, login.Headers.Location!.OriginalString);

        using var toClient = await browser.GetAsync(login.Headers.Location, OAuth.Cancel);
        Assert.Equal(HttpStatusCode.Redirect, toClient.StatusCode);
        var callback = OAuth.Query(OAuth.Absolute(toClient.Headers.Location!));
        Assert.Equal("xyz", callback["state"]);

        var tokens = await AuthorizationCodeFlow.ExchangeAsync(factory.CreateClient(), callback["code"], verifier);
        var access = OAuth.ReadJwt(tokens.String("access_token"));
        Assert.Equal(IdentityServerFactory.WebClientId, access.GetClaim("client_id").Value);
        Assert.Equal("securestack-api", Assert.Single(access.Audiences));
        Assert.Contains("api.read", access.GetClaim("scope").Value.Split(' '));
        Assert.False(string.IsNullOrEmpty(tokens.String("refresh_token")));
        var idToken = OAuth.ReadJwt(tokens.String("id_token"));
        Assert.Equal(access.Subject, idToken.Subject);
        Assert.Equal(userName, idToken.GetClaim("name").Value);

        // The same code cannot be redeemed twice.
        var (replayStatus, replay) = await OAuth.TokenAsync(factory.CreateClient(), new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["client_id"] = IdentityServerFactory.WebClientId,
            ["redirect_uri"] = IdentityServerFactory.WebRedirectUri,
            ["code"] = callback["code"],
            ["code_verifier"] = verifier,
        });
        Assert.Equal(HttpStatusCode.BadRequest, replayStatus);
        Assert.Equal("invalid_grant", replay.String("error"));
    }

    [Fact]
    public async Task LoginWithoutAntiforgeryTokenIsRejected()
    {
        var browser = factory.CreateBrowser();
        var userName = await OAuth.RegisterAsync(browser, Password);

        using var response = await browser.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["UserName"] = userName,
            ["Password"] = Password,
        }), OAuth.Cancel);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(cookie => cookie.StartsWith("__securestack_identity", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task LoginNeverRedirectsOffSite()
    {
        var browser = factory.CreateBrowser();
        var userName = await OAuth.RegisterAsync(browser, Password);

        using var response = await OAuth.LoginAsync(browser, userName, Password, "https://evil.example/steal");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/login", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("plain", "plain")]
    public async Task AuthorizeWithoutS256CodeChallengeIsRejected(string? challenge, string? method)
    {
        var browser = factory.CreateBrowser();
        var url = AuthorizationCodeFlow.AuthorizeUrl(challenge ?? "unused", "s", method ?? "S256");
        if (challenge is null)
        {
            url = url.Replace("&code_challenge=unused&code_challenge_method=S256", string.Empty, StringComparison.Ordinal);
        }
        else
        {
            // A plain challenge is the verifier itself: 43+ characters of the unreserved set.
            url = url.Replace("code_challenge=plain", "code_challenge=" + new string('a', 43), StringComparison.Ordinal);
        }

        using var response = await browser.GetAsync(url, OAuth.Cancel);

        // OpenIddict checks PKCE before it trusts the redirect_uri, so it answers here instead of redirecting.
        var body = await response.Content.ReadAsStringAsync(OAuth.Cancel);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Contains("invalid_request", body, StringComparison.Ordinal);
        Assert.Contains("code_challenge", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CodeExchangeWithTheWrongVerifierIsRejected()
    {
        var browser = factory.CreateBrowser();
        var userName = await OAuth.RegisterAsync(browser, Password);
        var (code, _) = await AuthorizationCodeFlow.GetCodeAsync(browser, userName, Password);

        var (status, body) = await OAuth.TokenAsync(factory.CreateClient(), new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["client_id"] = IdentityServerFactory.WebClientId,
            ["redirect_uri"] = IdentityServerFactory.WebRedirectUri,
            ["code"] = code,
            ["code_verifier"] = OAuth.NewPkce().Verifier,
        });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_grant", body.String("error"));
    }

    [Fact]
    public async Task UserInfoReturnsTheSignedInUserAndRejectsAnonymousCalls()
    {
        var (userName, tokens) = await AuthorizationCodeFlow.SignedInUserTokensAsync(factory);
        var client = factory.CreateClient();

        using var anonymous = await client.GetAsync("/connect/userinfo", OAuth.Cancel);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.String("access_token"));
        var info = JsonDocument.Parse(await client.GetStringAsync("/connect/userinfo", OAuth.Cancel)).RootElement;

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(userName, info.String("name"));
        Assert.False(info.TryGetProperty("email", out _), "email was not a granted scope");
    }

    [Fact]
    public async Task PromptNoneWithoutASessionAnswersLoginRequiredInsteadOfShowingThePage()
    {
        var (_, challenge) = OAuth.NewPkce();

        using var response = await factory.CreateBrowser().GetAsync(AuthorizationCodeFlow.AuthorizeUrl(challenge, "s") + "&prompt=none", OAuth.Cancel);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var query = OAuth.Query(OAuth.Absolute(response.Headers.Location!));
        Assert.Equal("login_required", query["error"]);
    }

    [Fact]
    public async Task ConfirmedEndSessionSignsTheUserOutSoTheNextAuthorizeAsksForLoginAgain()
    {
        var browser = await SignedInBrowserAsync();
        var (_, challenge) = OAuth.NewPkce();

        using var confirmation = await browser.GetAsync("/connect/endsession?state=bye", OAuth.Cancel);
        var page = await confirmation.Content.ReadAsStringAsync(OAuth.Cancel);
        using var endSession = await browser.PostAsync("/connect/endsession", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = OAuth.AntiforgeryToken(page),
            ["state"] = "bye",
        }), OAuth.Cancel);
        using var signedOut = await browser.GetAsync(AuthorizationCodeFlow.AuthorizeUrl(challenge, "b"), OAuth.Cancel);

        Assert.Equal(HttpStatusCode.OK, confirmation.StatusCode);
        Assert.Contains("name=\"state\" value=\"bye\"", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, endSession.StatusCode);
        Assert.Equal("/account/login", OAuth.Absolute(signedOut.Headers.Location!).AbsolutePath);
    }

    [Fact]
    public async Task AGetToEndSessionAsksForConfirmationAndDoesNotSignOut()
    {
        // Logout CSRF: any page can make the browser GET this URL (an <img src>).
        var browser = await SignedInBrowserAsync();

        using var endSession = await browser.GetAsync("/connect/endsession", OAuth.Cancel);

        Assert.Equal(HttpStatusCode.OK, endSession.StatusCode);
        Assert.Contains("<form method=\"post\" action=\"/connect/endsession\">", await endSession.Content.ReadAsStringAsync(OAuth.Cancel), StringComparison.Ordinal);
        await AssertStillSignedInAsync(browser);
    }

    [Fact]
    public async Task EndSessionPostedWithoutTheAntiforgeryTokenDoesNotSignOut()
    {
        // A cross-site form post carries the session cookie (SameSite=Lax allows top-level navigations) but not our token.
        var browser = await SignedInBrowserAsync();

        using var endSession = await browser.PostAsync("/connect/endsession", new FormUrlEncodedContent(new Dictionary<string, string> { ["state"] = "x" }), OAuth.Cancel);

        await SecurityBaseline.AssertSafeProblemAsync(endSession, HttpStatusCode.BadRequest);
        await AssertStillSignedInAsync(browser);
    }

    private async Task<HttpClient> SignedInBrowserAsync()
    {
        var browser = factory.CreateBrowser();
        var userName = await OAuth.RegisterAsync(browser, Password);
        await AuthorizationCodeFlow.GetCodeAsync(browser, userName, Password);
        return browser;
    }

    private static async Task AssertStillSignedInAsync(HttpClient browser)
    {
        var (_, challenge) = OAuth.NewPkce();
        using var authorize = await browser.GetAsync(AuthorizationCodeFlow.AuthorizeUrl(challenge, "still"), OAuth.Cancel);
        Assert.Equal(HttpStatusCode.Redirect, authorize.StatusCode);
        Assert.StartsWith(IdentityServerFactory.WebRedirectUri, OAuth.Absolute(authorize.Headers.Location!).ToString(), StringComparison.Ordinal);
    }
}
