using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using StackExchange.Redis;
using SecureStack.ServiceDefaults.Security;
using SecureStack.Testing;

namespace SecureStack.Gateway.Tests;

/// <summary>
/// The token endpoint's partitions under attack. The attacker is anonymous, on an address of its own, and knows
/// only public client ids (and, for password guessing, a user name); the victim is on another address with valid
/// credentials. Both go through the same Gateway at the same time, and whatever the attacker sends, the victim is
/// never refused. The backend echoes, so "admitted" means "reached Identity".
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class TokenEndpointPartitionTests(RedisContainerFixture redis)
{
    private const string PublicClient = "securestack-demo";
    private const string DeviceClient = "securestack-cli";
    private const string ServiceClient = "securestack-service";
    private const string DeviceCodeGrant = "urn:ietf:params:oauth:grant-type:device_code";

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task JunkRefreshRequestsForAPublicClientDoNotLimitAnotherUsersRefresh()
    {
        // Two replicas: the attacker on one, the victim on the other; the counters are shared in Redis.
        await using var stack = await GatewayTestContext.StartAsync(redis.ConnectionString, replicas: 2);
        var attacker = stack.ClientFrom(GatewayTestContext.NewClientAddress(), replica: 0);
        var victim = stack.ClientFrom(GatewayTestContext.NewClientAddress(), replica: 1);

        for (var round = 0; round < 3; round++)
        {
            // Refresh tokens rotate: each of the victim's refreshes presents the one the previous one returned.
            var junk = Enumerable.Range(0, 15).Select(_ => SendAsync(attacker, Form(("grant_type", "refresh_token"), ("client_id", PublicClient), ("refresh_token", NewSecret()))));
            var real = Enumerable.Range(0, 3).Select(_ => SendAsync(victim, Form(("grant_type", "refresh_token"), ("client_id", PublicClient), ("refresh_token", NewSecret()))));

            var statuses = await Task.WhenAll(junk.Concat(real));

            Assert.All(statuses[^3..], status => Assert.Equal(HttpStatusCode.OK, status));
        }
    }

    [Fact]
    public async Task BadSecretsFromOneAddressDoNotLockOutTheServiceElsewhere()
    {
        await using var stack = await GatewayTestContext.StartAsync(redis.ConnectionString);
        var attacker = stack.ClientFrom(GatewayTestContext.NewClientAddress());
        var service = stack.ClientFrom(GatewayTestContext.NewClientAddress());

        for (var round = 0; round < 3; round++)
        {
            // Both ways of presenting a secret: in the form and in the Authorization header.
            var guesses = Enumerable.Range(0, 8).SelectMany(i => new[]
            {
                SendAsync(attacker, Form(("grant_type", "client_credentials"), ("client_id", ServiceClient), ("client_secret", $"guess-{round}-{i}"))),
                SendAsync(attacker, BasicClientCredentials(ServiceClient, $"basic-guess-{round}-{i}")),
            });
            var real = Enumerable.Range(0, 3).Select(_ => SendAsync(service, BasicClientCredentials(ServiceClient, "the-real-secret")));

            var statuses = await Task.WhenAll(guesses.Concat(real));

            Assert.All(statuses[^3..], status => Assert.Equal(HttpStatusCode.OK, status));
            // The guesser is still held to the per-client limit at its own address: 10 a minute, whatever the round.
            Assert.True(statuses[..^3].Count(status => status == HttpStatusCode.OK) <= (round == 0 ? 10 : 0), $"round {round}: {string.Join(',', statuses)}");
        }
    }

    [Fact]
    public async Task PasswordGuessesFromOneAddressDoNotLimitTheAccountOwnerElsewhere()
    {
        await using var stack = await GatewayTestContext.StartAsync(redis.ConnectionString, settings: new Dictionary<string, string?>
        {
            ["RateLimiting:Policies:token-account:PermitLimit"] = "13",
        });
        var attacker = stack.ClientFrom(GatewayTestContext.NewClientAddress());
        var owner = stack.ClientFrom(GatewayTestContext.NewClientAddress());

        HttpRequestMessage Guess(int i) => PasswordGrant(i % 2 == 0 ? "alice@example.test" : "ALICE@example.test", $"guess-{i}");

        // A burst first, then more guesses while the owner signs in.
        var burst = await Task.WhenAll(Enumerable.Range(0, 15).Select(i => SendAsync(attacker, Guess(i))));
        var statuses = await Task.WhenAll(Enumerable.Range(15, 5).Select(i => SendAsync(attacker, Guess(i)))
            .Concat(Enumerable.Range(0, 3).Select(_ => SendAsync(owner, PasswordGrant("alice@example.test", "the-right-password")))));

        // 10 guesses per account and address, whatever the spelling; the 10 refused ones did not use up the
        // account's cap (13 here), so the owner's three still fit.
        Assert.Equal(10, burst.Concat(statuses[..^3]).Count(status => status == HttpStatusCode.OK));
        Assert.All(statuses[^3..], status => Assert.Equal(HttpStatusCode.OK, status));
    }

    [Fact]
    public async Task TheAccountCapHoldsAcrossAddresses()
    {
        await using var stack = await GatewayTestContext.StartAsync(redis.ConnectionString, settings: new Dictionary<string, string?>
        {
            ["RateLimiting:Policies:token-account:PermitLimit"] = "12",
        });

        // A distributed guesser: four addresses, five guesses each, one account.
        var statuses = await Task.WhenAll(Enumerable.Range(0, 4)
            .Select(_ => stack.ClientFrom(GatewayTestContext.NewClientAddress()))
            .SelectMany(client => Enumerable.Range(0, 5).Select(i => SendAsync(client, PasswordGrant("bob@example.test", $"guess-{i}"))))
            .ToList());

        Assert.Equal(12, statuses.Count(status => status == HttpStatusCode.OK));
        Assert.Equal(8, statuses.Count(status => status == HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task JunkDevicePollsForAPublicClientDoNotLimitAnotherDevice()
    {
        await using var stack = await GatewayTestContext.StartAsync(redis.ConnectionString);
        var attacker = stack.ClientFrom(GatewayTestContext.NewClientAddress());
        var device = stack.ClientFrom(GatewayTestContext.NewClientAddress());
        var deviceCode = NewSecret();

        var junk = Enumerable.Range(0, 25).Select(_ => SendAsync(attacker, DevicePoll(NewSecret())));
        var polls = Enumerable.Range(0, 13).Select(_ => SendAsync(device, DevicePoll(deviceCode)));

        var statuses = await Task.WhenAll(junk.Concat(polls));

        // Thirteen polls of one device code in a minute: one every five seconds with room for jitter.
        Assert.All(statuses[^13..], status => Assert.Equal(HttpStatusCode.OK, status));
    }

    [Fact]
    public async Task ADevicePollingFasterThanTheLimitIsToldToSlowDownNotRefusedWith429()
    {
        await using var stack = await GatewayTestContext.StartAsync(redis.ConnectionString);
        var device = stack.ClientFrom(GatewayTestContext.NewClientAddress());
        var deviceCode = NewSecret();

        var responses = new List<HttpResponseMessage>();
        for (var poll = 0; poll < 20; poll++)
        {
            responses.Add(await device.SendAsync(DevicePoll(deviceCode), Cancellation));
        }

        Assert.All(responses[..15], response => Assert.Equal(HttpStatusCode.OK, response.StatusCode));
        foreach (var response in responses[15..])
        {
            // RFC 8628 3.5: the client adds five seconds to its interval and carries on.
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancellation));
            Assert.Equal("slow_down", body.RootElement.GetProperty("error").GetString());
            Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        }
    }

    [Theory]
    [InlineData("chunked", HttpStatusCode.LengthRequired)]
    [InlineData("oversize", HttpStatusCode.RequestEntityTooLarge)]
    [InlineData("many-fields", HttpStatusCode.BadRequest)]
    [InlineData("long-key", HttpStatusCode.BadRequest)]
    [InlineData("repeated-user-name", HttpStatusCode.BadRequest)]
    [InlineData("not-a-form", HttpStatusCode.UnsupportedMediaType)]
    public async Task AnUnreadTokenFormIsRefusedNeverLimitedMoreLoosely(string variant, HttpStatusCode refusal)
    {
        await using var stack = await GatewayTestContext.StartAsync(redis.ConnectionString);

        // A distributed guesser, three addresses, one account: a form the Gateway could not read would escape
        // the account's partitions, so it never reaches Identity.
        var responses = await Task.WhenAll(Enumerable.Range(0, 3)
            .Select(_ => stack.ClientFrom(GatewayTestContext.NewClientAddress()))
            .SelectMany(client => Enumerable.Range(0, 4).Select(i => client.SendAsync(Unreadable(variant, $"guess-{i}"), Cancellation)))
            .ToList());

        Assert.Equal(0, stack.Backend.Requests);
        Assert.Equal(responses.Length, stack.Gateways[0].Logs.Count(entry => entry.EventId == SecurityEvents.Ids.TokenRequestRefused));
        foreach (var response in responses)
        {
            Assert.Equal(refusal, response.StatusCode);
            Assert.True(response.IsProblemJson());
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancellation));
            // Still an OAuth error a client can read.
            Assert.Equal("invalid_request", problem.RootElement.GetProperty("error").GetString());
        }
    }

    [Fact]
    public async Task AFloodOfDistinctJunkRefreshTokensFromOneAddressIsCappedByTheAddressLimit()
    {
        await using var stack = await GatewayTestContext.StartAsync(redis.ConnectionString);
        var attacker = stack.ClientFrom(GatewayTestContext.NewClientAddress());
        var tokens = Enumerable.Range(0, 60).Select(_ => NewSecret() + new string('x', 4000)).ToList();

        var statuses = await Task.WhenAll(tokens.Select(token =>
            SendAsync(attacker, Form(("grant_type", "refresh_token"), ("client_id", PublicClient), ("refresh_token", token)))));

        // 30 a minute per address (token-ip), however many distinct tokens: each new token is a new partition,
        // but only once the address limit admitted it.
        Assert.Equal(30, statuses.Count(status => status == HttpStatusCode.OK));
        Assert.Equal(30, statuses.Count(status => status == HttpStatusCode.TooManyRequests));

        // What the flood cost Redis: a small key pair per admitted token, each expiring with its window, named
        // by a digest of the token and never by the token.
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var server = connection.GetServers().Single();
        var keys = server.Keys(pattern: $"*{stack.Gateways[0].KeyPrefix}:token:*", pageSize: 1000).ToList();
        Assert.InRange(keys.Count, 30, 2 * 30);
        foreach (var key in keys)
        {
            Assert.InRange(key.ToString().Length, 1, 160);
            var ttl = await connection.GetDatabase().KeyTimeToLiveAsync(key);
            Assert.NotNull(ttl);
            Assert.InRange(ttl.Value, TimeSpan.Zero, TimeSpan.FromSeconds(62));
            Assert.DoesNotContain(tokens, token => key.ToString().Contains(token[..22], StringComparison.Ordinal));
        }

        var logged = string.Join('\n', stack.Gateways[0].Logs.Select(entry => entry.Message));
        Assert.DoesNotContain(tokens, token => logged.Contains(token[..22], StringComparison.Ordinal));
    }

    private static async Task<HttpStatusCode> SendAsync(HttpClient client, HttpRequestMessage request)
    {
        using (request)
        {
            using var response = await client.SendAsync(request, Cancellation);
            return response.StatusCode;
        }
    }

    private static HttpRequestMessage Form(params (string Name, string Value)[] form) => ResponseAssertions.TokenRequest(form);

    private static HttpRequestMessage PasswordGrant(string userName, string password) =>
        Form(("grant_type", "password"), ("client_id", PublicClient), ("username", userName), ("password", password));

    private static HttpRequestMessage DevicePoll(string deviceCode) =>
        Form(("grant_type", DeviceCodeGrant), ("client_id", DeviceClient), ("device_code", deviceCode));

    private static HttpRequestMessage BasicClientCredentials(string clientId, string secret)
    {
        var request = Form(("grant_type", "client_credentials"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{clientId}:{secret}")));
        return request;
    }

    private static string NewSecret() => Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    /// <summary>A password guess for one account in a form the Gateway's limiter cannot (or must not) read.</summary>
    private static HttpRequestMessage Unreadable(string variant, string password)
    {
        var guess = $"grant_type=password&client_id={PublicClient}&username=carol%40example.test&password={password}";
        HttpContent content = variant switch
        {
            "chunked" => new ChunkedContent(guess, "application/x-www-form-urlencoded"),
            "oversize" => new StringContent(guess + "&padding=" + new string('x', 9000)),
            "many-fields" => new StringContent(guess + string.Concat(Enumerable.Range(0, 40).Select(i => $"&f{i}=v"))),
            "long-key" => new StringContent(guess + "&" + new string('k', 100) + "=v"),
            "repeated-user-name" => new StringContent(guess + $"&username=decoy-{Guid.NewGuid():N}"),
            "not-a-form" => new StringContent(guess),
            _ => throw new ArgumentOutOfRangeException(nameof(variant)),
        };
        if (variant != "not-a-form")
        {
            content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        }
        else
        {
            content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        }

        var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token") { Content = content };
        if (variant == "chunked")
        {
            request.Headers.TransferEncodingChunked = true;
        }

        return request;
    }
}
