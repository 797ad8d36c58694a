using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;

namespace SecureStack.AppHost.Tests;

/// <summary>Real tokens from the real Identity, obtained through the Gateway as a client would.</summary>
[Collection(AppHostCollection.Name)]
public sealed class TokenTests(AppHostFixture fixture)
{
    [Fact]
    public async Task DiscoveryThroughTheGatewayNamesTheGatewayAsIssuer()
    {
        using var gateway = fixture.CreateGatewayClient();

        var discovery = await gateway.GetFromJsonAsync<JsonElement>("/.well-known/openid-configuration", TestContext.Current.CancellationToken);

        Assert.Equal($"{gateway.BaseAddress}", discovery.GetProperty("issuer").GetString());
        Assert.StartsWith($"{gateway.BaseAddress}", discovery.GetProperty("token_endpoint").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMachineClientGetsASignedAccessTokenThroughTheGateway()
    {
        using var gateway = fixture.CreateGatewayClient();

        var token = await fixture.GetServiceTokenAsync(gateway, "api.read");

        var jwt = new JsonWebToken(token);
        Assert.Equal("RS256", jwt.Alg);
        Assert.Equal("at+jwt", jwt.Typ);
        Assert.Equal($"{gateway.BaseAddress}", jwt.Issuer);
        Assert.Contains("securestack-api", jwt.Audiences);
        Assert.Equal("securestack-service", jwt.GetClaim("client_id").Value);
    }

    [Fact]
    public async Task AWrongClientSecretIsRefused()
    {
        using var gateway = fixture.CreateGatewayClient();

        using var response = await gateway.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = "securestack-service",
            ["client_secret"] = "not-the-secret-not-the-secret-not-the-secret",
        }), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var error = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal("invalid_client", error.GetProperty("error").GetString());
    }
}
