using System.Net;
using System.Text.Json;
using SecureStack.Identity.Tests.Infrastructure;

namespace SecureStack.Identity.Tests;

public sealed class DiscoveryTests(IdentityServerFactory factory)
{
    [Fact]
    public async Task DiscoveryDocumentAdvertisesTheConfiguredIssuerEndpointsAndFlows()
    {
        var client = factory.CreateClient();

        using var response = await client.GetAsync("/.well-known/openid-configuration", OAuth.Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(OAuth.Cancel)).RootElement;

        Assert.Equal(IdentityServerFactory.Issuer, document.String("issuer"));
        Assert.Equal("http://localhost/connect/token", document.String("token_endpoint"));
        Assert.Equal("http://localhost/connect/authorize", document.String("authorization_endpoint"));
        Assert.Equal("http://localhost/connect/userinfo", document.String("userinfo_endpoint"));
        Assert.Equal("http://localhost/connect/introspect", document.String("introspection_endpoint"));
        Assert.Equal("http://localhost/connect/revoke", document.String("revocation_endpoint"));
        Assert.Equal("http://localhost/connect/endsession", document.String("end_session_endpoint"));
        Assert.Equal("http://localhost/connect/device", document.String("device_authorization_endpoint"));
        Assert.Equal("http://localhost/.well-known/jwks", document.String("jwks_uri"));

        var grants = document.GetProperty("grant_types_supported").EnumerateArray().Select(grant => grant.GetString()).ToList();
        Assert.Contains("client_credentials", grants);
        Assert.Contains("authorization_code", grants);
        Assert.Contains("refresh_token", grants);
        Assert.Contains(OAuth.DeviceCodeGrant, grants);
        Assert.Equal(["S256"], document.GetProperty("code_challenge_methods_supported").EnumerateArray().Select(method => method.GetString()));

        var scopes = document.GetProperty("scopes_supported").EnumerateArray().Select(scope => scope.GetString()).ToList();
        Assert.Contains("api.read", scopes);
        Assert.Contains("api.write", scopes);
        Assert.Contains("api.admin", scopes);
    }

    [Fact]
    public async Task JwksPublishesRsaSigningKeysWithoutPrivateParameters()
    {
        var client = factory.CreateClient();

        var json = JsonDocument.Parse(await client.GetStringAsync("/.well-known/jwks", OAuth.Cancel)).RootElement;
        var keys = json.GetProperty("keys").EnumerateArray().ToList();

        Assert.NotEmpty(keys);
        foreach (var key in keys)
        {
            Assert.Equal("RSA", key.String("kty"));
            Assert.Equal("sig", key.String("use"));
            Assert.Equal("RS256", key.String("alg"));
            Assert.False(string.IsNullOrEmpty(key.String("kid")));
            Assert.False(string.IsNullOrEmpty(key.String("n")));
            Assert.False(key.TryGetProperty("d", out _), "the JWKS must never carry a private exponent");
            Assert.False(key.TryGetProperty("p", out _));
        }
    }
}
