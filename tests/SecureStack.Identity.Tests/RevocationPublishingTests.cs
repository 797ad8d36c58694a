using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using SecureStack.Identity.Tests.Infrastructure;
using SecureStack.ServiceDefaults.Security;

namespace SecureStack.Identity.Tests;

/// <summary>
/// What the revocation endpoint writes to the Redis the resource servers read: only tokens OpenIddict itself
/// validated and revoked, for the client they were issued to, and never for longer than an access token lives.
/// The attacker is anonymous (anyone may call /connect/revoke with a public client id) or another client.
/// </summary>
[Collection(OwnServerCollection.Name)]
public sealed class RevocationPublishingTests(RedisIdentityServerFactory factory) : IClassFixture<RedisIdentityServerFactory>
{
    // Identity's default access-token lifetime, and the longest clock skew a resource server may allow on top.
    private static readonly TimeSpan AccessTokenLifetime = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan MaxClockSkew = TimeSpan.FromSeconds(30);

    public static TheoryData<string, string> UnvalidatedTokens => new()
    {
        { "alg:none with a far exp", Unsigned(new string('a', 32), new DateTimeOffset(9999, 12, 31, 0, 0, 0, TimeSpan.Zero)) },
        { "garbage", "not-a-token-at-all" },
        { "oversized", Unsigned(new string('x', 40_000), DateTimeOffset.UtcNow.AddMinutes(5)) },
    };

    [Theory]
    [MemberData(nameof(UnvalidatedTokens))]
    public async Task UnvalidatedTokensAreNeverPublished(string kind, string token)
    {
        var client = factory.CreateClient();
        var before = await factory.ContentAsync();

        var (status, _) = await OAuth.PostFormAsync(client, "/connect/revoke", new Dictionary<string, string>
        {
            ["client_id"] = IdentityServerFactory.WebClientId,
            ["token"] = token,
        });

        // RFC 7009 §2.2: an invalid token is answered 200 like a revoked one, so the caller learns nothing.
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(before, await factory.ContentAsync());
        Assert.True(kind.Length > 0);
    }

    [Fact]
    public async Task APublishedRevocationLivesNoLongerThanTheAccessTokenLifetime()
    {
        var (_, tokens) = await AuthorizationCodeFlow.SignedInUserTokensAsync(factory);
        var client = factory.CreateClient();

        var (status, _) = await OAuth.PostFormAsync(client, "/connect/revoke", new Dictionary<string, string>
        {
            ["client_id"] = IdentityServerFactory.WebClientId,
            ["token"] = tokens.String("access_token"),
            ["token_type_hint"] = "access_token",
        });
        var entries = await factory.EntriesAsync();

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotEmpty(entries);
        Assert.All(entries, entry => Assert.True(
            entry.Value is { } lives && lives <= AccessTokenLifetime + MaxClockSkew,
            $"{entry.Key} lives {entry.Value?.ToString() ?? "forever"}"));
    }

    [Fact]
    public async Task AClientCannotRevokeAnotherClientsToken()
    {
        var client = factory.CreateClient();
        var serviceToken = (await OAuth.ClientCredentialsAsync(client)).String("access_token");
        var before = await factory.ContentAsync();

        // The public web client (no secret: anyone can claim to be it) revokes the confidential service client's token.
        var (status, _) = await OAuth.PostFormAsync(client, "/connect/revoke", new Dictionary<string, string>
        {
            ["client_id"] = IdentityServerFactory.WebClientId,
            ["token"] = serviceToken,
            ["token_type_hint"] = "access_token",
        });
        var (_, introspection) = await OAuth.PostFormAsync(client, "/connect/introspect", new Dictionary<string, string>
        {
            ["client_id"] = IdentityServerFactory.ResourceServerClientId,
            ["client_secret"] = IdentityServerFactory.ResourceServerSecret,
            ["token"] = serviceToken,
        });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(before, await factory.ContentAsync());
        Assert.True(introspection.GetProperty("active").GetBoolean(), "the service client's token is still active at Identity");
    }

    [Fact]
    public async Task ReplayingARefreshTokenPublishesTheWholeChainsAuthorization()
    {
        var (_, tokens) = await AuthorizationCodeFlow.SignedInUserTokensAsync(factory);
        var client = factory.CreateClient();
        var stolen = tokens.String("refresh_token");
        var (_, rotated) = await AuthorizationCodeFlow.RefreshAsync(client, stolen);
        var authorization = OAuth.ReadJwt(rotated.String("access_token")).GetClaim("oi_au_id").Value;

        var (replayStatus, _) = await AuthorizationCodeFlow.RefreshAsync(client, stolen);

        Assert.Equal(HttpStatusCode.BadRequest, replayStatus);
        Assert.Equal(authorization, OAuth.ReadJwt(tokens.String("access_token")).GetClaim("oi_au_id").Value);
        Assert.Contains(await factory.ContentAsync(), entry => entry.EndsWith(" a:" + authorization, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RevokingARefreshTokenPublishesItsAuthorization()
    {
        var (_, tokens) = await AuthorizationCodeFlow.SignedInUserTokensAsync(factory);
        var client = factory.CreateClient();
        var authorization = OAuth.ReadJwt(tokens.String("access_token")).GetClaim("oi_au_id").Value;

        var (status, _) = await OAuth.PostFormAsync(client, "/connect/revoke", new Dictionary<string, string>
        {
            ["client_id"] = IdentityServerFactory.WebClientId,
            ["token"] = tokens.String("refresh_token"),
            ["token_type_hint"] = "refresh_token",
        });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(await factory.ContentAsync(), entry => entry.EndsWith(" a:" + authorization, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ARevocationRedisCannotTakeIsAnswered503TemporarilyUnavailableAndLogged()
    {
        var (_, tokens) = await AuthorizationCodeFlow.SignedInUserTokensAsync(factory);
        var client = factory.CreateClient();
        var before = factory.CountEvents(SecurityEvents.Ids.RevocationNotPublished.Id);

        // Paused, Redis keeps the connection open and answers nothing: the publication times out.
        await factory.Redis.Container.PauseAsync(OAuth.Cancel);
        (HttpStatusCode Status, JsonElement Body) answer;
        try
        {
            answer = await RevokeAsync(client, tokens.String("access_token"), "access_token");
        }
        finally
        {
            await factory.Redis.Container.UnpauseAsync(OAuth.Cancel);
        }

        // RFC 7009 §2.2.1: the client must not believe the token is gone everywhere; it may retry.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.Status);
        Assert.Equal("temporarily_unavailable", answer.Body.String("error"));
        Assert.True(factory.CountEvents(SecurityEvents.Ids.RevocationNotPublished.Id) > before, "RevocationNotPublished (4020) is logged");
    }

    [Theory]
    [InlineData("access_token")]
    [InlineData("refresh_token")]
    public async Task ARevocationRetriedAfterA503IsPublishedAndRefusedAtAResourceServer(string kind)
    {
        var (_, tokens) = await AuthorizationCodeFlow.SignedInUserTokensAsync(factory);
        var client = factory.CreateClient();
        var accessToken = OAuth.ReadJwt(tokens.String("access_token"));
        var denied = kind == "access_token" ? " t:" + accessToken.Id : " a:" + accessToken.GetClaim("oi_au_id").Value;
        await using var api = await ResourceServer.StartWithDenyListAsync(factory, factory.Redis.ConnectionString);
        api.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken.EncodedToken);
        using var acceptedBefore = await api.Client.GetAsync("/whoami", OAuth.Cancel);

        await factory.Redis.Container.PauseAsync(OAuth.Cancel);
        HttpStatusCode failed, failedAgain;
        try
        {
            (failed, _) = await RevokeAsync(client, tokens.String(kind), kind);
            (failedAgain, _) = await RevokeAsync(client, tokens.String(kind), kind);
        }
        finally
        {
            await factory.Redis.Container.UnpauseAsync(OAuth.Cancel);
        }

        var (retried, _) = await RevokeAsync(client, tokens.String(kind), kind);

        Assert.Equal(HttpStatusCode.OK, acceptedBefore.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failedAgain);
        Assert.Equal(HttpStatusCode.OK, retried);
        Assert.Contains(await factory.ContentAsync(), entry => entry.EndsWith(denied, StringComparison.Ordinal));
        await EventuallyRefusedAsync(api.Client);
    }

    private static Task<(HttpStatusCode Status, JsonElement Body)> RevokeAsync(HttpClient client, string token, string hint) =>
        OAuth.PostFormAsync(client, "/connect/revoke", new Dictionary<string, string>
        {
            ["client_id"] = IdentityServerFactory.WebClientId,
            ["token"] = token,
            ["token_type_hint"] = hint,
        });

    /// <summary>The resource server learns the entry by pub/sub or, after the outage, by its resync on reconnect.</summary>
    private static async Task EventuallyRefusedAsync(HttpClient api)
    {
        var bound = Stopwatch.StartNew();
        while (true)
        {
            using var response = await api.GetAsync("/whoami", OAuth.Cancel);
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                return;
            }

            Assert.True(bound.Elapsed < TimeSpan.FromSeconds(15), $"the revoked token still gets {(int)response.StatusCode} at the resource server");
            await Task.Delay(100, OAuth.Cancel);
        }
    }

    private static string Unsigned(string tokenId, DateTimeOffset expires)
    {
        static string Encode(string json) => Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));
        var header = Encode("""{"alg":"none","typ":"at+jwt"}""");
        var payload = Encode($$"""{"iss":"{{IdentityServerFactory.Issuer}}","aud":"securestack-api","jti":"{{tokenId}}","exp":{{expires.ToUnixTimeSeconds()}},"client_id":"{{IdentityServerFactory.WebClientId}}"}""");
        return $"{header}.{payload}.";
    }
}
