using System.Net;
using SecureStack.Identity.Tests.Infrastructure;

namespace SecureStack.Identity.Tests;

/// <summary>Development keys are generated once and kept in the data folder, so a restart breaks no session.</summary>
[Collection(OwnServerCollection.Name)]
public sealed class RestartTests
{
    [Fact]
    public async Task TokensIssuedBeforeARestartStillWorkAfterIt()
    {
        var dataPath = IdentityServerFactory.NewDataPath();
        try
        {
            string accessToken;
            string refreshToken;
            await using (var before = new IdentityServerFactory(dataPath, "Development", null))
            {
                accessToken = (await OAuth.ClientCredentialsAsync(before.CreateClient())).String("access_token");
                var (_, tokens) = await OAuth.TokenAsync(before.CreateClient(), PasswordGrantTests.DemoRequest(IdentityServerFactory.DemoClientId));
                refreshToken = tokens.String("refresh_token");
            }

            await using var after = new IdentityServerFactory(dataPath, "Development", null);
            var client = after.CreateClient();
            var keys = await OAuth.JwksAsync(client);
            var validation = await new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler()
                .ValidateTokenAsync(accessToken, ClientCredentialsTests.StrictParameters(keys, "securestack-api"));
            var (refreshStatus, refreshed) = await OAuth.TokenAsync(client, new Dictionary<string, string>
            {
                ["grant_type"] = "refresh_token",
                ["client_id"] = IdentityServerFactory.DemoClientId,
                ["refresh_token"] = refreshToken,
            });

            Assert.True(validation.IsValid, validation.Exception?.Message);
            Assert.True(refreshStatus == HttpStatusCode.OK, refreshed.ToString());
            Assert.True(File.Exists(Path.Combine(dataPath, "keys", "signing-key.pem")));
        }
        finally
        {
            IdentityServerFactory.TryDelete(dataPath);
        }
    }

    [Fact]
    public async Task AClientRemovedFromConfigurationStopsWorkingAfterARestart()
    {
        var dataPath = IdentityServerFactory.NewDataPath();
        var retired = new Dictionary<string, string?>
        {
            ["Identity:Clients:securestack-retired:ClientSecret"] = "retired-secret-0123456789-0123456789",
            ["Identity:Clients:securestack-retired:GrantTypes:0"] = "client_credentials",
            ["Identity:Clients:securestack-retired:Scopes:0"] = "api.read",
        };
        var request = new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = "securestack-retired",
            ["client_secret"] = "retired-secret-0123456789-0123456789",
            ["scope"] = "api.read",
        };
        try
        {
            HttpStatusCode before;
            await using (var configured = new IdentityServerFactory(dataPath, "Development", retired))
            {
                (before, _) = await OAuth.TokenAsync(configured.CreateClient(), request);
            }

            await using var removed = new IdentityServerFactory(dataPath, "Development", null);
            var (after, body) = await OAuth.TokenAsync(removed.CreateClient(), request);

            Assert.Equal(HttpStatusCode.OK, before);
            Assert.Equal(HttpStatusCode.Unauthorized, after);
            Assert.Equal("invalid_client", body.String("error"));
        }
        finally
        {
            IdentityServerFactory.TryDelete(dataPath);
        }
    }
}
