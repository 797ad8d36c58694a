using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace SecureStack.Identity.Tests.Infrastructure;

/// <summary>What a client does on the wire: form posts to the token endpoint, PKCE, the login form.</summary>
public static partial class OAuth
{
    public const string DeviceCodeGrant = "urn:ietf:params:oauth:grant-type:device_code";

    public static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static async Task<(HttpStatusCode Status, JsonElement Body)> PostFormAsync(HttpClient client, string path, IDictionary<string, string> form)
    {
        using var response = await client.PostAsync(path, new FormUrlEncodedContent(form), Cancel);
        var text = await response.Content.ReadAsStringAsync(Cancel);
        var body = string.IsNullOrWhiteSpace(text) ? default : JsonDocument.Parse(text).RootElement.Clone();
        return (response.StatusCode, body);
    }

    public static Task<(HttpStatusCode Status, JsonElement Body)> TokenAsync(HttpClient client, IDictionary<string, string> form) =>
        PostFormAsync(client, "/connect/token", form);

    public static async Task<JsonElement> ClientCredentialsAsync(HttpClient client, string scope = "api.read api.write")
    {
        var (status, body) = await TokenAsync(client, new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = IdentityServerFactory.ServiceClientId,
            ["client_secret"] = IdentityServerFactory.ServiceClientSecret,
            ["scope"] = scope,
        });
        Assert.True(status == HttpStatusCode.OK, $"token endpoint answered {status}: {body}");
        return body;
    }

    public static string String(this JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) ? value.GetString() ?? string.Empty : string.Empty;

    public static (string Verifier, string Challenge) NewPkce()
    {
        var verifier = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        return (verifier, challenge);
    }

    public static JsonWebToken ReadJwt(string token) => new(token);

    public static async Task<JsonWebKeySet> JwksAsync(HttpClient client) =>
        new(await client.GetStringAsync("/.well-known/jwks", Cancel));

    /// <summary>Registers a user (a fresh address unless given) through the public API and returns its user name.</summary>
    public static async Task<string> RegisterAsync(HttpClient client, string password, string? email = null)
    {
        email ??= $"user-{Guid.NewGuid():N}@example.test";
        using var response = await client.PostAsJsonAsync("/account/register", new { email, password }, Cancel);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return email;
    }

    public static string AntiforgeryToken(string html) =>
        AntiforgeryPattern().Match(html) is { Success: true } match
            ? WebUtility.HtmlDecode(match.Groups[1].Value)
            : throw new InvalidOperationException("The page has no antiforgery field:\n" + html);

    /// <summary>Fills in the login page like a browser: GET the form (antiforgery cookie + field), POST it.</summary>
    public static async Task<HttpResponseMessage> LoginAsync(HttpClient browser, string userName, string password, string? returnUrl = null)
    {
        var page = await browser.GetStringAsync("/account/login" + (returnUrl is null ? string.Empty : "?ReturnUrl=" + Uri.EscapeDataString(returnUrl)), Cancel);
        var form = new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = AntiforgeryToken(page),
            ["UserName"] = userName,
            ["Password"] = password,
            ["ReturnUrl"] = returnUrl ?? string.Empty,
        };
        return await browser.PostAsync("/account/login", new FormUrlEncodedContent(form), Cancel);
    }

    public static Dictionary<string, string> Query(Uri uri) =>
        uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(pair => Uri.UnescapeDataString(pair[0]), pair => pair.Length > 1 ? Uri.UnescapeDataString(pair[1].Replace('+', ' ')) : string.Empty);

    public static Uri Absolute(Uri location) => location.IsAbsoluteUri ? location : new Uri(new Uri("http://localhost"), location);

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryPattern();
}
