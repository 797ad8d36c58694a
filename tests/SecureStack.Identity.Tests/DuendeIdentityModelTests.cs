using Duende.IdentityModel.Client;
using SecureStack.Identity.Tests.Infrastructure;

namespace SecureStack.Identity.Tests;

/// <summary>A general-purpose OAuth client library, not our own helpers, can use the server.</summary>
public sealed class DuendeIdentityModelTests(IdentityServerFactory factory)
{
    [Fact]
    public async Task DuendeIdentityModelDrivesDiscoveryAndClientCredentials()
    {
        var client = factory.CreateClient();

        var discovery = await client.GetDiscoveryDocumentAsync(new DiscoveryDocumentRequest
        {
            Address = IdentityServerFactory.Issuer,
            Policy = { RequireHttps = false },
        }, OAuth.Cancel);
        Assert.False(discovery.IsError, discovery.Error);
        Assert.Equal(IdentityServerFactory.Issuer, discovery.Issuer);
        Assert.NotEmpty(discovery.KeySet!.Keys);

        var token = await client.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = discovery.TokenEndpoint,
            ClientId = IdentityServerFactory.ServiceClientId,
            ClientSecret = IdentityServerFactory.ServiceClientSecret,
            Scope = "api.read",
        }, OAuth.Cancel);
        Assert.False(token.IsError, token.Error);
        Assert.Equal("Bearer", token.TokenType);
        Assert.InRange(token.ExpiresIn, 60, 15 * 60);

        var wrongSecret = await client.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = discovery.TokenEndpoint,
            ClientId = IdentityServerFactory.ServiceClientId,
            ClientSecret = "wrong-secret-wrong-secret-wrong-secret",
        }, OAuth.Cancel);
        Assert.True(wrongSecret.IsError);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, wrongSecret.HttpStatusCode);
        Assert.Contains("invalid_client", wrongSecret.Raw, StringComparison.Ordinal);
    }
}
