using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SecureStack.Testing;
using StackExchange.Redis;

namespace SecureStack.Security.Tests.Abuse;

/// <summary>
/// The token endpoint's rate limits, attacked. Attacker: anonymous, at an address of its own, knowing only the
/// public client ids (and a user name). Target: a legitimate user's or service's token-endpoint budget, at
/// another address, with valid credentials; and Redis, which the attacker can feed junk partitions. Property: the
/// attacker's junk, sent at the same time as the victim's requests and again and again, never gets the victim a
/// 429, and the attacker's own address stays capped.
/// </summary>
[Collection(AbuseCollection.Name)]
public sealed class TokenEndpointLimitAbuseTests(AbuseFixture fixture)
{
    private const int TokenLimitPerAddress = 30;
    private const int TokenLimitPerPartition = 10;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task JunkRefreshRequestsForAPublicClientDoNotLimitAnotherUsersRefresh()
    {
        var (email, password) = await fixture.RegisterUserAsync("refresh-victim");
        using var attacker = fixture.CreateGatewayClientFrom(fixture.NewClientAddress());
        using var victim = fixture.CreateGatewayClientFrom(fixture.NewClientAddress());
        var refreshToken = (await TokenAsync(victim, SecurityFixture.PasswordGrant(email, password, "openid offline_access api.read"))).GetProperty("refresh_token").GetString()!;

        for (var round = 0; round < 3; round++)
        {
            var junk = Enumerable.Range(0, 15).Select(_ => StatusAsync(attacker, Form(
                ("grant_type", "refresh_token"), ("client_id", SecurityFixture.DemoClient), ("refresh_token", Junk()))));
            var refresh = TokenAsync(victim, new()
            {
                ["grant_type"] = "refresh_token",
                ["client_id"] = SecurityFixture.DemoClient,
                ["refresh_token"] = refreshToken,
            });

            await Task.WhenAll(junk);
            // Refresh tokens rotate: the next round presents the one this refresh returned.
            refreshToken = (await refresh).GetProperty("refresh_token").GetString()!;
        }
    }

    [Fact]
    public async Task BadSecretsFromOneAddressDoNotLockOutTheServiceElsewhere()
    {
        using var attacker = fixture.CreateGatewayClientFrom(fixture.NewClientAddress());
        using var service = fixture.CreateGatewayClientFrom(fixture.NewClientAddress());

        var guessed = 0;
        for (var round = 0; round < 2; round++)
        {
            var guesses = Enumerable.Range(0, 12).Select(i => StatusAsync(attacker, i % 2 == 0
                ? Form(("grant_type", "client_credentials"), ("client_id", SecurityFixture.ServiceClient), ("client_secret", Junk()))
                : BasicClientCredentials(SecurityFixture.ServiceClient, Junk()))).ToList();
            var tokens = Enumerable.Range(0, 3).Select(_ => TokenAsync(service, new()
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = SecurityFixture.ServiceClient,
                ["client_secret"] = fixture.ServiceClientSecret,
                ["scope"] = "api.read",
            })).ToList();

            await Task.WhenAll(tokens);
            guessed += (await Task.WhenAll(guesses)).Count(status => status != HttpStatusCode.TooManyRequests);
        }

        // The guesser reached Identity about 10 times in the minute: the per-client limit at its own address.
        Assert.InRange(guessed, 1, TokenLimitPerPartition + FallbackShare(TokenLimitPerPartition));
    }

    [Fact]
    public async Task PasswordGuessesFromOneAddressDoNotLimitTheAccountOwnerElsewhere()
    {
        var (email, password) = await fixture.RegisterUserAsync("guessed-owner");
        using var attacker = fixture.CreateGatewayClientFrom(fixture.NewClientAddress());
        using var owner = fixture.CreateGatewayClientFrom(fixture.NewClientAddress());

        HttpRequestMessage Request(string userName, string secret) =>
            Form([.. SecurityFixture.PasswordGrant(userName, secret, "api.read").Select(pair => (pair.Key, pair.Value))]);

        // A burst first, then more guesses while the owner signs in.
        var burst = await Task.WhenAll(Enumerable.Range(0, 15).Select(i => StatusAsync(attacker, Request(i % 2 == 0 ? email : email.ToUpperInvariant(), $"guess-{i}"))));
        var more = Enumerable.Range(15, 5).Select(i => StatusAsync(attacker, Request(email, $"guess-{i}"))).ToList();
        var logins = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => StatusAsync(owner, Request(email, password))));
        var guessed = burst.Concat(await Task.WhenAll(more)).Count(status => status != HttpStatusCode.TooManyRequests);

        // Whether the owner gets in after five wrong guesses is the lockout's business (its own tests); the
        // Gateway's limits must never be what refuses them.
        Assert.DoesNotContain(HttpStatusCode.TooManyRequests, logins);
        Assert.InRange(guessed, 1, TokenLimitPerPartition + FallbackShare(TokenLimitPerPartition));
    }

    [Fact]
    public async Task AChunkedTokenRequestGetsTheStrictestLimit()
    {
        var (email, password) = await fixture.RegisterUserAsync("chunked");
        using var client = fixture.CreateGatewayClientFrom(fixture.NewClientAddress());

        // The right password, in a body without a Content-Length: were it forwarded, Identity would answer 200.
        var content = new ChunkedContent(
            string.Join('&', SecurityFixture.PasswordGrant(email, password, "api.read").Select(pair => $"{pair.Key}={Uri.EscapeDataString(pair.Value)}")),
            "application/x-www-form-urlencoded");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var response = await client.SendAsync(request, Cancellation);

        Assert.Equal(HttpStatusCode.LengthRequired, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("invalid_request", (await GatewayCalls.TokenErrorAsync(response))["error"]);
    }

    [Fact]
    public async Task AFloodOfDistinctJunkRefreshTokensFromOneAddressIsCappedByTheAddressLimit()
    {
        using var attacker = fixture.CreateGatewayClientFrom(fixture.NewClientAddress());
        await using var redis = await ConnectionMultiplexer.ConnectAsync(await fixture.RedisConnectionStringAsync());
        var server = redis.GetServers().Single();
        List<RedisKey> RefreshTokenKeys() => [.. server.Keys(pattern: "*:token:refresh_token:*", pageSize: 1000)];
        var before = RefreshTokenKeys().Count;
        var tokens = Enumerable.Range(0, 90).Select(_ => Junk() + new string('j', 2000)).ToList();

        var statuses = await Task.WhenAll(tokens.Select(token => StatusAsync(attacker, Form(
            ("grant_type", "refresh_token"), ("client_id", SecurityFixture.DemoClient), ("refresh_token", token)))));

        // About the address's limit, not one per token (the Gateway tests count exactly, with a generous budget).
        Assert.InRange(statuses.Count(status => status != HttpStatusCode.TooManyRequests), FallbackShare(TokenLimitPerAddress), TokenLimitPerAddress + FallbackShare(TokenLimitPerAddress));
        var keys = RefreshTokenKeys();
        // A counter and its expiry per admitted token at most, each small, named by a digest, gone within its window.
        Assert.InRange(keys.Count - before, 0, 2 * (TokenLimitPerAddress + FallbackShare(TokenLimitPerAddress)));
        foreach (var key in keys)
        {
            Assert.InRange(key.ToString().Length, 1, 160);
            Assert.DoesNotContain(tokens, token => key.ToString().Contains(token[..20], StringComparison.Ordinal));
            var ttl = await redis.GetDatabase().KeyTimeToLiveAsync(key);
            Assert.NotNull(ttl);
            Assert.InRange(ttl.Value, TimeSpan.Zero, TimeSpan.FromSeconds(62));
        }
    }

    private static HttpRequestMessage Form(params (string Name, string Value)[] form) =>
        new(HttpMethod.Post, "/connect/token") { Content = new FormUrlEncodedContent(form.Select(pair => KeyValuePair.Create(pair.Name, pair.Value))) };

    private static HttpRequestMessage BasicClientCredentials(string clientId, string secret)
    {
        var request = Form(("grant_type", "client_credentials"), ("scope", "api.read"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{clientId}:{secret}")));
        return request;
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient client, HttpRequestMessage request)
    {
        using (request)
        {
            using var response = await client.SendAsync(request, Cancellation);
            return response.StatusCode;
        }
    }

    private static async Task<JsonElement> TokenAsync(HttpClient client, Dictionary<string, string> form)
    {
        using var response = await client.PostAsync("/connect/token", new FormUrlEncodedContent(form), Cancellation);
        var body = await response.Content.ReadAsStringAsync(Cancellation);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{form["grant_type"]}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>
    /// This stack keeps the deployed 75 ms decision budget: a decision Redis does not make in time is the replica's
    /// own, at limit ÷ ExpectedReplicas (the abuse stack runs one Gateway replica, so the whole limit), so in the
    /// worst case an attacker's count is the limit plus that share.
    /// </summary>
    private static int FallbackShare(int limit) => limit / AbuseFixture.GatewayReplicas;

    private static string Junk() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
}
