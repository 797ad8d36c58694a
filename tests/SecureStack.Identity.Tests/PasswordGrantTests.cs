using System.Net;
using SecureStack.Identity.Tests.Infrastructure;

namespace SecureStack.Identity.Tests;

/// <summary>RFC 9700 forbids the password grant: one demo client, Development only.</summary>
public sealed class PasswordGrantTests(IdentityServerFactory factory)
{
    [Fact]
    public async Task DemoClientGetsATokenWithThePasswordGrantInDevelopment()
    {
        var (status, tokens) = await OAuth.TokenAsync(factory.CreateClient(), DemoRequest(IdentityServerFactory.DemoClientId));

        Assert.True(status == HttpStatusCode.OK, tokens.ToString());
        var access = OAuth.ReadJwt(tokens.String("access_token"));
        Assert.Equal("admin", access.GetClaim("role").Value);
        Assert.Equal(IdentityServerFactory.DemoClientId, access.GetClaim("client_id").Value);
    }

    [Fact]
    public async Task DemoClientWithAWrongPasswordGetsInvalidGrant()
    {
        var request = DemoRequest(IdentityServerFactory.DemoClientId);
        request["password"] = "certainly not the demo password";

        var (status, body) = await OAuth.TokenAsync(factory.CreateClient(), request);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_grant", body.String("error"));
    }

    [Theory]
    [InlineData(IdentityServerFactory.ServiceClientId, IdentityServerFactory.ServiceClientSecret)]
    [InlineData(IdentityServerFactory.CliClientId, null)]
    [InlineData(IdentityServerFactory.WebClientId, null)]
    public async Task PasswordGrantIsRefusedForEveryOtherClient(string clientId, string? secret)
    {
        var request = DemoRequest(clientId);
        if (secret is not null)
        {
            request["client_secret"] = secret;
        }

        var (status, body) = await OAuth.TokenAsync(factory.CreateClient(), request);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("unauthorized_client", body.String("error"));
    }

    internal static Dictionary<string, string> DemoRequest(string clientId) => new()
    {
        ["grant_type"] = "password",
        ["client_id"] = clientId,
        ["username"] = IdentityServerFactory.DemoUserName,
        ["password"] = IdentityServerFactory.DemoPassword,
        ["scope"] = "openid offline_access api.read",
    };
}
