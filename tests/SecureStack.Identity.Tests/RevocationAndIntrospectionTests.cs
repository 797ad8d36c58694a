using System.Net;
using SecureStack.Identity.Tests.Infrastructure;

namespace SecureStack.Identity.Tests;

public sealed class RevocationAndIntrospectionTests(IdentityServerFactory factory)
{
    [Fact]
    public async Task ResourceServerSeesAnActiveTokenUntilItIsRevoked()
    {
        var (_, tokens) = await AuthorizationCodeFlow.SignedInUserTokensAsync(factory);
        var client = factory.CreateClient();
        var accessToken = tokens.String("access_token");

        var (_, active) = await IntrospectAsync(client, accessToken);
        var (revokeStatus, _) = await OAuth.PostFormAsync(client, "/connect/revoke", new Dictionary<string, string>
        {
            ["client_id"] = IdentityServerFactory.WebClientId,
            ["token"] = accessToken,
            ["token_type_hint"] = "access_token",
        });
        var (_, inactive) = await IntrospectAsync(client, accessToken);

        Assert.True(active.GetProperty("active").GetBoolean());
        Assert.Equal(IdentityServerFactory.WebClientId, active.String("client_id"));
        Assert.Contains("api.read", active.String("scope").Split(' '));
        Assert.Equal(HttpStatusCode.OK, revokeStatus);
        Assert.False(inactive.GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task RevokedRefreshTokenCannotBeRedeemed()
    {
        var (_, tokens) = await AuthorizationCodeFlow.SignedInUserTokensAsync(factory);
        var client = factory.CreateClient();
        var revokedBefore = factory.CountEvents(4007);

        var (revokeStatus, _) = await OAuth.PostFormAsync(client, "/connect/revoke", new Dictionary<string, string>
        {
            ["client_id"] = IdentityServerFactory.WebClientId,
            ["token"] = tokens.String("refresh_token"),
        });
        var (status, body) = await AuthorizationCodeFlow.RefreshAsync(client, tokens.String("refresh_token"));

        Assert.Equal(HttpStatusCode.OK, revokeStatus);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_grant", body.String("error"));
        Assert.True(factory.CountEvents(4007) > revokedBefore, "a TokenRevoked security event is logged");
    }

    [Fact]
    public async Task IntrospectionRequiresAnAuthenticatedResourceServer()
    {
        var client = factory.CreateClient();
        var accessToken = (await OAuth.ClientCredentialsAsync(client)).String("access_token");

        var (anonymousStatus, _) = await OAuth.PostFormAsync(client, "/connect/introspect", new Dictionary<string, string> { ["token"] = accessToken });
        var (wrongSecretStatus, _) = await OAuth.PostFormAsync(client, "/connect/introspect", new Dictionary<string, string>
        {
            ["client_id"] = IdentityServerFactory.ResourceServerClientId,
            ["client_secret"] = "wrong-wrong-wrong-wrong-wrong-wrong-wrong",
            ["token"] = accessToken,
        });
        var (publicClientStatus, _) = await OAuth.PostFormAsync(client, "/connect/introspect", new Dictionary<string, string>
        {
            ["client_id"] = IdentityServerFactory.WebClientId,
            ["token"] = accessToken,
        });

        Assert.Equal(HttpStatusCode.Unauthorized, anonymousStatus);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongSecretStatus);
        Assert.NotEqual(HttpStatusCode.OK, publicClientStatus);
    }

    private static Task<(HttpStatusCode Status, System.Text.Json.JsonElement Body)> IntrospectAsync(HttpClient client, string token) =>
        OAuth.PostFormAsync(client, "/connect/introspect", new Dictionary<string, string>
        {
            ["client_id"] = IdentityServerFactory.ResourceServerClientId,
            ["client_secret"] = IdentityServerFactory.ResourceServerSecret,
            ["token"] = token,
        });
}
