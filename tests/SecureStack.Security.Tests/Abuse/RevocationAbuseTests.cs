using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Aspire.Hosting.Testing;
using StackExchange.Redis;
using static SecureStack.Security.Tests.Abuse.AbuseRequests;

namespace SecureStack.Security.Tests.Abuse;

/// <summary>
/// Revocation as an attacker meets it. The attacker is anonymous (anyone may call /connect/revoke with a public
/// client id), another client, or the holder of a stolen token; the targets are Redis (what gets stored, for how
/// long), another client's session, and the deny-list check itself (can load switch it off, can a chain escape it).
/// Every call goes through the Gateway from an address of the test's own, with users of the test's own.
/// </summary>
[Collection(AbuseCollection.Name)]
public sealed class RevocationAbuseTests(AbuseFixture fixture)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task APublicClientCannotRevokeAnotherClientsToken()
    {
        using var gateway = fixture.CreateGatewayClientFrom(fixture.NewClientAddress());
        var serviceToken = SecurityFixture.AccessToken(await fixture.RequestTokenAsync(new()
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = SecurityFixture.ServiceClient,
            ["client_secret"] = fixture.ServiceClientSecret,
            ["scope"] = "api.read",
        }));

        // The demo client is public: claiming to be it takes no secret.
        var revoke = await RevokeAsync(gateway, SecurityFixture.DemoClient, serviceToken);

        Assert.Equal(HttpStatusCode.OK, revoke);
        await Task.Delay(PropagationBound, Cancellation);
        using var service = fixture.CreateGatewayClientFrom(fixture.NewClientAddress(), serviceToken);
        using var response = await service.GetAsync("/api/v1/notes", Cancellation);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task UnvalidatedTokensAreNeverPublished()
    {
        using var gateway = fixture.CreateGatewayClientFrom(fixture.NewClientAddress());
        var tokenId = $"abuse-{fixture.RunId}-{Guid.NewGuid():N}";
        string[] attacks =
        [
            Unsigned(tokenId, new DateTimeOffset(9999, 12, 31, 0, 0, 0, TimeSpan.Zero)),
            Unsigned(tokenId + new string('x', 40_000), DateTimeOffset.UtcNow.AddMinutes(5)),
            "garbage-" + tokenId,
        ];

        foreach (var token in attacks)
        {
            // RFC 7009 §2.2: answered 200 like a real revocation, so the caller learns nothing.
            Assert.Equal(HttpStatusCode.OK, await RevokeAsync(gateway, SecurityFixture.DemoClient, token));
        }

        Assert.Empty(await RedisEntriesContainingAsync(tokenId));
    }

    [Fact]
    public async Task RedisHasAMemoryLimitAndEvictsNothingWithoutATtl()
    {
        var options = ConfigurationOptions.Parse(await fixture.RedisConnectionStringAsync());
        options.AllowAdmin = true;
        await using var redis = await ConnectionMultiplexer.ConnectAsync(options);
        var server = redis.GetServer(redis.GetEndPoints()[0]);

        var config = (await server.ConfigGetAsync("maxmemory*")).ToDictionary(pair => pair.Key, pair => pair.Value);

        Assert.True(long.Parse(config["maxmemory"], System.Globalization.CultureInfo.InvariantCulture) > 0, "maxmemory is 0 (unlimited)");
        Assert.Equal("volatile-lru", config["maxmemory-policy"]);
    }

    [Fact]
    public async Task RevokedTokenIsRefusedUnderAFlood()
    {
        var address = fixture.NewClientAddress();
        var (email, password) = await fixture.RegisterUserAsync($"revoked-flood-{Guid.NewGuid():N}"[..24]);
        var revoked = SecurityFixture.AccessToken(await fixture.RequestTokenAsync(SecurityFixture.PasswordGrant(email, password, "api.read")));
        var valid = SecurityFixture.AccessToken(await fixture.RequestTokenAsync(SecurityFixture.PasswordGrant(email, password, "api.read")));
        using (var gateway = fixture.CreateGatewayClientFrom(address))
        {
            Assert.Equal(HttpStatusCode.OK, await RevokeAsync(gateway, SecurityFixture.DemoClient, revoked));
        }

        await Task.Delay(PropagationBound, Cancellation);

        // The same client floods /api/v1/ping and /api/v1/notes with its valid token while it tries the revoked
        // one: the load that once made the per-request Redis lookup time out and accept the token (event 4012).
        const int Tries = 600;
        var outcomes = new ConcurrentBag<HttpStatusCode>();
        using var attacker = fixture.CreateGatewayClientFrom(address, revoked);
        using var load = fixture.CreateGatewayClientFrom(address, valid);
        var flood = Parallel.ForEachAsync(Enumerable.Range(0, Tries * 2), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = Cancellation },
            async (i, cancel) =>
            {
                using var response = await load.GetAsync(i % 2 == 0 ? "/api/v1/ping" : "/api/v1/notes", cancel);
            });
        var tries = Parallel.ForEachAsync(Enumerable.Range(0, Tries), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = Cancellation },
            async (i, cancel) =>
            {
                // /api/v1/notes needs a token (/api/v1/ping would answer an anonymous 200 whatever the token).
                using var response = await attacker.GetAsync("/api/v1/notes", cancel);
                outcomes.Add(response.StatusCode);
            });
        await Task.WhenAll(flood, tries);

        var accepted = outcomes.Count(status => status == HttpStatusCode.OK);
        var summary = string.Join(", ", outcomes.GroupBy(status => status).Select(group => $"{(int)group.Key}: {group.Count()}"));
        Assert.True(accepted == 0, $"the revoked token was accepted {accepted} times in {Tries} tries ({summary})");
        Assert.True(outcomes.Count(status => status == HttpStatusCode.Unauthorized) >= Tries / 2, $"too few tries reached authentication ({summary})");
    }

    [Fact]
    public async Task ApiRefusesARevokedTokenReachedDirectly()
    {
        var (email, password) = await fixture.RegisterUserAsync($"revoked-direct-{Guid.NewGuid():N}"[..24]);
        var revoked = SecurityFixture.AccessToken(await fixture.RequestTokenAsync(SecurityFixture.PasswordGrant(email, password, "api.read")));
        using var direct = new HttpClient { BaseAddress = fixture.App.GetEndpoint("api", "http") };
        direct.DefaultRequestHeaders.Authorization = new("Bearer", revoked);
        using (var before = await direct.GetAsync("/api/v1/notes", Cancellation))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        using (var gateway = fixture.CreateGatewayClientFrom(fixture.NewClientAddress()))
        {
            Assert.Equal(HttpStatusCode.OK, await RevokeAsync(gateway, SecurityFixture.DemoClient, revoked));
        }

        // Defence in depth: the Api refuses it itself, not only because the Gateway stands in front.
        Assert.Equal(HttpStatusCode.Unauthorized, await EventuallyAsync(direct, "/api/v1/notes", HttpStatusCode.Unauthorized));
    }

    [Fact]
    public async Task RefreshTokenReplayDeniesTheChainsAccessTokensAtTheEdge()
    {
        var (email, password) = await fixture.RegisterUserAsync($"replayed-chain-{Guid.NewGuid():N}"[..24]);
        var first = await fixture.RequestTokenAsync(SecurityFixture.PasswordGrant(email, password, "offline_access api.read"));
        var stolen = first.GetProperty("refresh_token").GetString()!;
        var rotated = await fixture.RequestTokenAsync(new()
        {
            ["grant_type"] = "refresh_token",
            ["client_id"] = SecurityFixture.DemoClient,
            ["refresh_token"] = stolen,
        });
        using var firstClient = fixture.CreateGatewayClientFrom(fixture.NewClientAddress(), SecurityFixture.AccessToken(first));
        using var rotatedClient = fixture.CreateGatewayClientFrom(fixture.NewClientAddress(), SecurityFixture.AccessToken(rotated));
        using (var before = await rotatedClient.GetAsync("/api/v1/notes", Cancellation))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        // The thief (or a broken client) replays the redeemed refresh token: OpenIddict revokes the whole chain.
        using (var gateway = fixture.CreateGatewayClientFrom(fixture.NewClientAddress()))
        using (var replay = await gateway.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["client_id"] = SecurityFixture.DemoClient,
            ["refresh_token"] = stolen,
        }), Cancellation))
        {
            Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        }

        // Every access token of the chain, the one issued before the rotation and the one after, dies at the edge.
        Assert.Equal(HttpStatusCode.Unauthorized, await EventuallyAsync(firstClient, "/api/v1/notes", HttpStatusCode.Unauthorized));
        Assert.Equal(HttpStatusCode.Unauthorized, await EventuallyAsync(rotatedClient, "/api/v1/notes", HttpStatusCode.Unauthorized));
    }

    private static async Task<HttpStatusCode> RevokeAsync(HttpClient gateway, string clientId, string token)
    {
        using var response = await gateway.PostAsync("/connect/revoke", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = clientId,
            ["token"] = token,
        }), Cancellation);
        return response.StatusCode;
    }

    /// <summary>Every Redis key whose name, or any of whose sorted-set members, contains <paramref name="needle"/>.</summary>
    private async Task<List<string>> RedisEntriesContainingAsync(string needle)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(await fixture.RedisConnectionStringAsync());
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        var database = redis.GetDatabase();
        var found = new List<string>();
        await foreach (var key in server.KeysAsync(pattern: "*"))
        {
            if (key.ToString().Contains(needle, StringComparison.Ordinal))
            {
                found.Add(key.ToString());
            }
            else if (await database.KeyTypeAsync(key) == RedisType.SortedSet)
            {
                found.AddRange((await database.SortedSetRangeByRankAsync(key)).Select(member => member.ToString())
                    .Where(member => member.Contains(needle, StringComparison.Ordinal)).Select(member => $"{key} {member}"));
            }
        }

        return found;
    }

    private string Unsigned(string tokenId, DateTimeOffset expires)
    {
        static string Encode(string json) => Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));
        var header = Encode("""{"alg":"none","typ":"at+jwt"}""");
        var payload = Encode(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["iss"] = fixture.Issuer,
            ["aud"] = SecurityFixture.ApiAudience,
            ["jti"] = tokenId,
            ["exp"] = expires.ToUnixTimeSeconds(),
            ["client_id"] = SecurityFixture.DemoClient,
        }));
        return $"{header}.{payload}.";
    }
}
