using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using StackExchange.Redis;

namespace SecureStack.Security.Tests.Abuse;

/// <summary>Requests and Redis look-ups several abuse classes make the same way.</summary>
internal static class AbuseRequests
{
    /// <summary>How long a revocation may take to reach every replica (pub/sub: milliseconds; this is the bound tested).</summary>
    public static readonly TimeSpan PropagationBound = TimeSpan.FromSeconds(5);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    /// <summary>POSTs a token request from <paramref name="client"/>'s address and fails the test on anything but 200.</summary>
    public static async Task<JsonElement> TokenAsync(HttpClient client, Dictionary<string, string> form)
    {
        using var response = await client.PostAsync("/connect/token", new FormUrlEncodedContent(form), Cancellation);
        var body = await response.Content.ReadAsStringAsync(Cancellation);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{form["grant_type"]}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>A fresh user of the test's own and an access token (read and write) issued to it from its own address.</summary>
    public static async Task<string> UserAccessTokenAsync(AbuseFixture fixture, string name, string scope = "api.read api.write")
    {
        var (email, password) = await fixture.RegisterUserAsync($"{name}-{Guid.NewGuid():N}"[..20]);
        using var client = fixture.CreateGatewayClientFrom(fixture.NewClientAddress());
        return SecurityFixture.AccessToken(await TokenAsync(client, SecurityFixture.PasswordGrant(email, password, scope)));
    }

    /// <summary>Revokes <paramref name="token"/> as the public demo client (RFC 7009 answers 200 whatever the token).</summary>
    public static async Task<HttpStatusCode> RevokeAsync(HttpClient client, string token)
    {
        using var response = await client.PostAsync("/connect/revoke", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = SecurityFixture.DemoClient,
            ["token"] = token,
        }), Cancellation);
        return response.StatusCode;
    }

    /// <summary>Asks until the answer is <paramref name="expected"/> or the propagation bound has passed; returns the last answer.</summary>
    public static async Task<HttpStatusCode> EventuallyAsync(HttpClient client, string path, HttpStatusCode expected)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            using var response = await client.GetAsync(path, Cancellation);
            if (response.StatusCode == expected || stopwatch.Elapsed > PropagationBound)
            {
                return response.StatusCode;
            }

            await Task.Delay(100, Cancellation);
        }
    }

    /// <summary>"401: 12, 429: 3": what a burst got, for assertion messages.</summary>
    public static string Summary(IEnumerable<HttpStatusCode> outcomes) =>
        string.Join(", ", outcomes.GroupBy(status => status).OrderBy(group => group.Key).Select(group => $"{(int)group.Key}: {group.Count()}"));

    /// <summary>
    /// The digest the Gateway names a rate-limit partition's Redis key by (RequestPartition.Hash): the first 16
    /// bytes of SHA-256 of the partition value, hex.
    /// </summary>
    public static string PartitionHash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value))[..16]);

    /// <summary>
    /// What Redis counted in the fixed windows of the partitions of <paramref name="kind"/> keyed on
    /// <paramref name="value"/> (all policies, summed); 0 when no key exists.
    /// </summary>
    public static async Task<long> RedisCountAsync(AbuseFixture fixture, string kind, string value)
    {
        var hash = PartitionHash(value);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(await fixture.RedisConnectionStringAsync());
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        var database = redis.GetDatabase();
        long count = 0;
        await foreach (var key in server.KeysAsync(pattern: $"*:{kind}:{hash}*"))
        {
            // RedisRateLimiting keeps a window's count in rl:fw:{key} and its end (a timestamp) in rl:fw:{key}:exp.
            if (!key.ToString().EndsWith(":exp", StringComparison.Ordinal) && await database.KeyTypeAsync(key) == RedisType.String && long.TryParse((string?)await database.StringGetAsync(key), out var counted))
            {
                count += counted;
            }
        }

        return count;
    }

    /// <summary>Every rate-limit key in Redis naming a partition of <paramref name="kind"/>.</summary>
    public static async Task<List<string>> RedisPartitionKeysAsync(AbuseFixture fixture, string kind)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(await fixture.RedisConnectionStringAsync());
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        var keys = new List<string>();
        await foreach (var key in server.KeysAsync(pattern: $"*:{kind}:*"))
        {
            keys.Add(key.ToString());
        }

        return keys;
    }
}
