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
}
