using System.Net;
using System.Text.Json;

namespace SecureStack.Identity.Tests.Infrastructure;

/// <summary>The authorization code + PKCE flow driven over HTTP, as a browser and a public client would.</summary>
public static class AuthorizationCodeFlow
{
    public const string Scope = "openid profile roles offline_access api.read";

    public static string AuthorizeUrl(string challenge, string state, string method = "S256", string scope = Scope) =>
        "/connect/authorize?" + string.Join('&', new Dictionary<string, string>
        {
            ["client_id"] = IdentityServerFactory.WebClientId,
            ["redirect_uri"] = IdentityServerFactory.WebRedirectUri,
            ["response_type"] = "code",
            ["scope"] = scope,
            ["state"] = state,
            ["code_challenge"] = challenge,
            ["code_challenge_method"] = method,
        }.Select(pair => $"{pair.Key}={Uri.EscapeDataString(pair.Value)}"));

    /// <summary>Logs in (through the login page) and returns the authorization code and the PKCE verifier.</summary>
    public static async Task<(string Code, string Verifier)> GetCodeAsync(HttpClient browser, string userName, string password)
    {
        var (verifier, challenge) = OAuth.NewPkce();
        var state = Guid.NewGuid().ToString("N");
        var authorize = AuthorizeUrl(challenge, state);

        using var login = await OAuth.LoginAsync(browser, userName, password, authorize);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);

        using var redirect = await browser.GetAsync(login.Headers.Location, OAuth.Cancel);
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        var callback = OAuth.Absolute(redirect.Headers.Location!);
        Assert.StartsWith(IdentityServerFactory.WebRedirectUri, callback.ToString(), StringComparison.Ordinal);
        var query = OAuth.Query(callback);
        Assert.Equal(state, query["state"]);
        return (query["code"], verifier);
    }

    public static async Task<JsonElement> ExchangeAsync(HttpClient client, string code, string verifier)
    {
        var (status, body) = await OAuth.TokenAsync(client, new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["client_id"] = IdentityServerFactory.WebClientId,
            ["redirect_uri"] = IdentityServerFactory.WebRedirectUri,
            ["code"] = code,
            ["code_verifier"] = verifier,
        });
        Assert.True(status == HttpStatusCode.OK, $"code exchange answered {status}: {body}");
        return body;
    }

    /// <summary>A new user who went through the whole flow: its tokens (access, refresh, id).</summary>
    public static async Task<(string UserName, JsonElement Tokens)> SignedInUserTokensAsync(IdentityServerFactory factory)
    {
        var browser = factory.CreateBrowser();
        const string password = "a long and unusual passphrase 7";
        var userName = await OAuth.RegisterAsync(browser, password);
        var (code, verifier) = await GetCodeAsync(browser, userName, password);
        return (userName, await ExchangeAsync(factory.CreateClient(), code, verifier));
    }

    public static Task<(HttpStatusCode Status, JsonElement Body)> RefreshAsync(HttpClient client, string refreshToken) =>
        OAuth.TokenAsync(client, new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["client_id"] = IdentityServerFactory.WebClientId,
            ["refresh_token"] = refreshToken,
        });
}
