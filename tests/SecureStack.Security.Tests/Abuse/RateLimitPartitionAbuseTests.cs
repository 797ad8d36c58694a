using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using static SecureStack.Security.Tests.Abuse.AbuseRequests;

namespace SecureStack.Security.Tests.Abuse;

/// <summary>
/// The Api's per-user budget (`per-user`, 600 a minute per subject, per address for anonymous callers), attacked.
/// The Gateway authenticates before it limits and authorizes after (MapDefaultEndpoints(afterAuthentication:
/// UseGatewayRateLimiting)): a request is counted under the subject of a token that validated, else under its
/// address. Attacker: another user with a valid token of its own, or anyone minting bearer tokens that do not
/// validate. Target: a victim user's budget; Redis (one key per partition). Property: only a token Identity
/// signed buys a subject partition, and only its holder spends it; junk is counted at the sender's address.
/// </summary>
[Collection(AbuseCollection.Name)]
public sealed class RateLimitPartitionAbuseTests(AbuseFixture fixture)
{
    private const int PerUserLimit = 600;

    /// <summary>
    /// What the Gateway replica admits on its own when Redis does not answer in time: limit ÷ ExpectedReplicas, and
    /// this stack runs one replica (the AppHost sets ExpectedReplicas from the scale).
    /// </summary>
    private const int LocalLimit = PerUserLimit;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnotherUserFloodingTheApiDoesNotSpendTheVictimsBudget()
    {
        var victimToken = await UserAccessTokenAsync(fixture, "budget-victim");
        var attackerToken = await UserAccessTokenAsync(fixture, "budget-flooder");
        // Same address for both: only the subject can tell them apart, so only the subject partition protects the victim.
        var address = fixture.NewClientAddress();
        using var victim = fixture.CreateGatewayClientFrom(address, victimToken);
        using var attacker = fixture.CreateGatewayClientFrom(address, attackerToken);

        const int Flood = 400;
        const int VictimRequests = 20;
        var attackerRemaining = new ConcurrentBag<long>();
        var flood = Parallel.ForEachAsync(Enumerable.Range(0, Flood), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = Cancellation },
            async (_, cancel) =>
            {
                using var response = await attacker.GetAsync("/api/v1/notes", cancel);
                attackerRemaining.Add(Remaining(response));
            });
        var victimOutcomes = new List<HttpStatusCode>();
        var victimRemaining = new List<long>();
        for (var i = 0; i < VictimRequests; i++)
        {
            using var response = await victim.GetAsync("/api/v1/notes", Cancellation);
            victimOutcomes.Add(response.StatusCode);
            victimRemaining.Add(Remaining(response));
        }

        await flood;

        Assert.True(victimOutcomes.All(status => status == HttpStatusCode.OK), $"victim: {Summary(victimOutcomes)}");
        // A decision is Redis's or, when Redis is slow, the replica's own (each 600 here): either way the victim's
        // remaining budget only ever drops by its own requests.
        var victimLeast = victimRemaining.Min();
        Assert.True(victimLeast >= LocalLimit - VictimRequests, $"the victim's remaining budget fell to {victimLeast} after {VictimRequests} requests of its own");
        var victimCount = await RedisCountAsync(fixture, "subject", Subject(victimToken));
        Assert.True(victimCount <= VictimRequests, $"the victim's partition in Redis counted {victimCount} requests; it sent {VictimRequests}");
        // Positive control: the flood did spend the attacker's own budget (400 requests split between Redis and the
        // local limiter leave at most 400 in one of them).
        Assert.True(attackerRemaining.Min() < victimLeast, $"the attacker's remaining budget never fell below {attackerRemaining.Min()}");
    }

    [Fact]
    public async Task JunkBearerTokensGetNoPartitionOfTheirOwnAndAreCappedAtTheSendersAddress()
    {
        // Tokens shaped like Identity's, naming a fresh subject each, with a signature no key of Identity's made.
        var (header, payload) = Forge.Decode(await fixture.ServiceTokenAsync());
        using var wrongKey = RSA.Create(2048);
        var subjects = new ConcurrentBag<string>();
        string Junk()
        {
            var subject = Guid.NewGuid().ToString("N");
            subjects.Add(subject);
            var forgedPayload = payload.DeepClone().AsObject();
            forgedPayload["sub"] = subject;
            forgedPayload["jti"] = Guid.NewGuid().ToString("N");
            return Forge.Rs256(header.DeepClone().AsObject(), forgedPayload, wrongKey);
        }

        // More than the address's budget in Redis plus what the replica may admit on its own when Redis is slow
        // (counted separately, so at worst both): some of the flood must be refused.
        const int Flood = PerUserLimit + LocalLimit + 100;
        var tokens = Enumerable.Range(0, Flood).Select(_ => Junk()).ToList();
        var address = fixture.NewClientAddress();
        using var attacker = fixture.CreateGatewayClientFrom(address);
        var outcomes = new ConcurrentBag<HttpStatusCode>();
        await Parallel.ForEachAsync(tokens, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = Cancellation },
            async (token, cancel) =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/notes");
                request.Headers.Authorization = new("Bearer", token);
                using var response = await attacker.SendAsync(request, cancel);
                outcomes.Add(response.StatusCode);
            });

        var summary = Summary(outcomes);
        Assert.True(outcomes.All(status => status is HttpStatusCode.Unauthorized or HttpStatusCode.TooManyRequests), summary);
        Assert.True(outcomes.Count(status => status == HttpStatusCode.Unauthorized) <= PerUserLimit + LocalLimit, summary);
        Assert.True(outcomes.Any(status => status == HttpStatusCode.TooManyRequests), $"the address was never capped ({summary})");

        var forgedSubjects = subjects.Select(PartitionHash).ToHashSet();
        var subjectKeys = await RedisPartitionKeysAsync(fixture, "subject");
        Assert.DoesNotContain(subjectKeys, key => forgedSubjects.Any(hash => key.Contains(hash, StringComparison.Ordinal)));
        Assert.True(await RedisCountAsync(fixture, "ip", address.ToString()) > 0, "the flood was not counted at the sender's address");
    }

    /// <summary>The per-user policy's remaining budget from the RateLimit field (`"per-user";r=42;t=17`).</summary>
    private static long Remaining(HttpResponseMessage response)
    {
        var field = response.Headers.TryGetValues("RateLimit", out var values) ? string.Join(", ", values) : string.Empty;
        var match = Regex.Match(field, "\"per-user\";r=(\\d+)");
        Assert.True(match.Success, $"no per-user RateLimit field on a {(int)response.StatusCode}: '{field}'");
        return long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static string Subject(string accessToken) => Forge.Decode(accessToken).Payload["sub"]!.GetValue<string>();
}
