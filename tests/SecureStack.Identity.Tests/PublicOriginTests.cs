using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using SecureStack.Identity.Tests.Infrastructure;

namespace SecureStack.Identity.Tests;

/// <summary>
/// Host header injection (issue 14, F9): every URL Identity writes for a client comes from the configured issuer,
/// never from the Host header, which the client chooses. A poisoned discovery document or login redirect would
/// send users (or a cache in front of us) to the attacker's host with their credentials.
/// </summary>
public sealed class PublicOriginTests(IdentityServerFactory factory)
{
    private const string HostileOrigin = "http://evil.example/";

    [Fact]
    public async Task DiscoveryIgnoresAHostileHostHeader()
    {
        using var client = HostileClient();

        var document = JsonDocument.Parse(await client.GetStringAsync("/.well-known/openid-configuration", OAuth.Cancel)).RootElement;

        var urls = document.EnumerateObject()
            .Where(property => property.Value.ValueKind == JsonValueKind.String && property.Value.GetString()!.StartsWith("http", StringComparison.Ordinal))
            .ToDictionary(property => property.Name, property => property.Value.GetString()!);
        Assert.Contains("authorization_endpoint", urls.Keys);
        Assert.Contains("token_endpoint", urls.Keys);
        Assert.All(urls, url => Assert.StartsWith(IdentityServerFactory.Issuer, url.Value, StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheDeviceVerificationUriIgnoresAHostileHostHeader()
    {
        using var client = HostileClient();

        var (status, body) = await OAuth.PostFormAsync(client, "/connect/device", new Dictionary<string, string>
        {
            ["client_id"] = IdentityServerFactory.CliClientId,
            ["scope"] = "openid api.read",
        });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith(IdentityServerFactory.Issuer, body.String("verification_uri"), StringComparison.Ordinal);
        Assert.StartsWith(IdentityServerFactory.Issuer, body.String("verification_uri_complete"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoginRedirectIgnoresAHostileHostHeader()
    {
        using var browser = factory.CreateClient(new WebApplicationFactoryClientOptions
        {
            BaseAddress = new Uri(HostileOrigin),
            AllowAutoRedirect = false,
        });
        var (_, challenge) = OAuth.NewPkce();

        using var response = await browser.GetAsync(AuthorizationCodeFlow.AuthorizeUrl(challenge, "state"), OAuth.Cancel);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.True(location.IsAbsoluteUri, $"login redirect: {location}");
        Assert.StartsWith(IdentityServerFactory.Issuer + "account/login", location.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("evil.example", location.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task UserInfoRefusesAnAccessTokenInTheQueryString()
    {
        // RFC 9700 §4.3.2 / OAuth 2.1: a token in a URL ends up in logs, traces, history and Referer headers.
        var (_, tokens) = await AuthorizationCodeFlow.SignedInUserTokensAsync(factory);
        using var client = factory.CreateClient();

        using var response = await client.GetAsync("/connect/userinfo?access_token=" + Uri.EscapeDataString(tokens.String("access_token")), OAuth.Cancel);

        AssertRefusedAsInvalidRequest(response);
    }

    [Fact]
    public async Task UserInfoRefusesAnAccessTokenInTheFormBody()
    {
        var (_, tokens) = await AuthorizationCodeFlow.SignedInUserTokensAsync(factory);
        using var client = factory.CreateClient();

        using var response = await client.PostAsync("/connect/userinfo", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["access_token"] = tokens.String("access_token"),
        }), OAuth.Cancel);

        AssertRefusedAsInvalidRequest(response);
    }

    [Fact]
    public async Task UserInfoStillAcceptsTheAuthorizationHeader()
    {
        var (userName, tokens) = await AuthorizationCodeFlow.SignedInUserTokensAsync(factory);
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.String("access_token"));

        var info = JsonDocument.Parse(await client.GetStringAsync("/connect/userinfo", OAuth.Cancel)).RootElement;

        Assert.Equal(userName, info.String("name"));
    }

    // A userinfo error is a Bearer challenge (RFC 6750 §3): the error is in WWW-Authenticate.
    private static void AssertRefusedAsInvalidRequest(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Contains("error=\"invalid_request\"", challenge.Parameter, StringComparison.Ordinal);
        Assert.Contains("Authorization header", challenge.Parameter, StringComparison.Ordinal);
    }

    private HttpClient HostileClient() =>
        factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri(HostileOrigin) });
}
