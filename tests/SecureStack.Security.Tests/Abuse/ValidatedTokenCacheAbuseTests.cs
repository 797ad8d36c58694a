using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using static SecureStack.Security.Tests.Abuse.AbuseRequests;

namespace SecureStack.Security.Tests.Abuse;

/// <summary>
/// The Gateway's two token caches, attacked: the validated-token cache (only successes, keyed by the exact token
/// text, bounded at 10 000) and the signing-key cache (a token naming an unknown key refreshes Identity's JWKS at
/// most once per JwksRefreshInterval). Attacker: anonymous, from addresses of its own, minting any number of
/// distinct tokens. Target: a valid user's requests (availability), Identity's JWKS endpoint (amplification) and
/// revocation (a cached success must not outlive a revocation). Property: forged tokens never enter the cache nor
/// disturb a valid token, unknown key ids do not hammer Identity, and a cache hit still checks the deny-list.
/// </summary>
[Collection(AbuseCollection.Name)]
public sealed class ValidatedTokenCacheAbuseTests(AbuseFixture fixture)
{
    /// <summary>Below the per-address budget (600 a minute), so the flood reaches the validator rather than the limiter.</summary>
    private const int TokensPerAddress = 400;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AFloodOfDistinctForgedTokensNeverMakesAValidTokenFail()
    {
        var valid = await UserAccessTokenAsync(fixture, "cache-flood-victim");
        var (header, payload) = Forge.Decode(valid);
        using var wrongKey = RSA.Create(2048);
        const int Attackers = 5;
        var forged = Enumerable.Range(0, Attackers * TokensPerAddress).Select(_ =>
        {
            var forgedPayload = payload.DeepClone().AsObject();
            forgedPayload["jti"] = Guid.NewGuid().ToString("N");
            return Forge.Rs256(header.DeepClone().AsObject(), forgedPayload, wrongKey);
        }).ToList();

        var attackerOutcomes = Flood(forged, Attackers);
        using var victim = fixture.CreateGatewayClientFrom(fixture.NewClientAddress(), valid);
        var victimOutcomes = new List<HttpStatusCode>();
        await Task.WhenAll(attackerOutcomes.Flood, Task.Run(async () =>
        {
            while (!attackerOutcomes.Flood.IsCompleted)
            {
                using var response = await victim.GetAsync("/api/v1/notes", Cancellation);
                victimOutcomes.Add(response.StatusCode);
            }
        }, Cancellation));

        Assert.True(attackerOutcomes.Outcomes.All(status => status == HttpStatusCode.Unauthorized), $"forged: {Summary(attackerOutcomes.Outcomes)}");
        Assert.True(victimOutcomes.Count > 0 && victimOutcomes.All(status => status == HttpStatusCode.OK), $"valid: {Summary(victimOutcomes)}");
    }

    [Fact]
    public async Task TokensNamingUnknownKeysDoNotMakeTheGatewayHammerIdentitysJwks()
    {
        var valid = await UserAccessTokenAsync(fixture, "cache-kid-victim");
        var (header, payload) = Forge.Decode(valid);
        using var attackerKey = RSA.Create(2048);
        var forged = Enumerable.Range(0, TokensPerAddress).Select(_ =>
        {
            var forgedHeader = header.DeepClone().AsObject();
            forgedHeader["kid"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
            return Forge.Rs256(forgedHeader, payload.DeepClone().AsObject(), attackerKey);
        }).ToList();

        // Positive control: a JWKS request through the Gateway shows up in Identity's access log.
        var before = await JwksRequestsAsync();
        using (var anonymous = fixture.CreateGatewayClientFrom(fixture.NewClientAddress()))
        using (var jwks = await anonymous.GetAsync("/.well-known/jwks", Cancellation))
        {
            Assert.Equal(HttpStatusCode.OK, jwks.StatusCode);
        }

        var control = await EventuallyMoreThanAsync(before);
        Assert.True(control > before, "Identity's access log does not show JWKS requests: the count below would prove nothing");

        var (flood, outcomes) = Flood(forged, attackers: 1);
        await flood;
        using var victim = fixture.CreateGatewayClientFrom(fixture.NewClientAddress(), valid);
        using var after = await victim.GetAsync("/api/v1/notes", Cancellation);
        await Task.Delay(TimeSpan.FromSeconds(1), Cancellation);
        var fetched = await JwksRequestsAsync() - control;

        Assert.True(outcomes.All(status => status == HttpStatusCode.Unauthorized), Summary(outcomes));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        // At most one refresh asked for by the unknown ids (once per JwksRefreshInterval, a minute), plus each of
        // the three validating replicas' (1 Gateway, 2 Api) five-minute automatic refresh falling in the flood.
        Assert.True(fetched <= 4, $"{TokensPerAddress} unknown key ids made {fetched} JWKS requests to Identity");
    }

    [Fact]
    public async Task ATokenRevokedAfterItWasCachedIsRefusedOnItsNextUse()
    {
        var token = await UserAccessTokenAsync(fixture, "cache-revoked");
        using var holder = fixture.CreateGatewayClientFrom(fixture.NewClientAddress(), token);
        // Validated once, then served from the cache: the thief's copy is "known good" to the Gateway.
        for (var i = 0; i < 3; i++)
        {
            using var response = await holder.GetAsync("/api/v1/notes", Cancellation);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using (var revoker = fixture.CreateGatewayClientFrom(fixture.NewClientAddress()))
        {
            Assert.Equal(HttpStatusCode.OK, await RevokeAsync(revoker, token));
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await EventuallyAsync(holder, "/api/v1/notes", HttpStatusCode.Unauthorized));
        // And it stays refused: a later hit does not resurrect it.
        var later = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var response = await holder.GetAsync("/api/v1/notes", Cancellation);
            later.Add(response.StatusCode);
        }

        Assert.True(later.All(status => status == HttpStatusCode.Unauthorized), Summary(later));
    }

    /// <summary>Sends each token once to /api/v1/notes, 16 at a time, spread over <paramref name="attackers"/> addresses of their own.</summary>
    private (Task Flood, ConcurrentBag<HttpStatusCode> Outcomes) Flood(IReadOnlyList<string> tokens, int attackers)
    {
        var clients = Enumerable.Range(0, attackers).Select(_ => fixture.CreateGatewayClientFrom(fixture.NewClientAddress())).ToList();
        var outcomes = new ConcurrentBag<HttpStatusCode>();
        var flood = Parallel.ForEachAsync(Enumerable.Range(0, tokens.Count), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = Cancellation },
            async (i, cancel) =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/notes");
                request.Headers.Authorization = new("Bearer", tokens[i]);
                using var response = await clients[i % attackers].SendAsync(request, cancel);
                outcomes.Add(response.StatusCode);
            });
        var disposing = flood.ContinueWith(_ => clients.ForEach(client => client.Dispose()), TaskScheduler.Default);
        return (Task.WhenAll(flood, disposing), outcomes);
    }

    /// <summary>How many requests for the JWKS Identity's access log shows so far.</summary>
    private async Task<int> JwksRequestsAsync()
    {
        var model = fixture.App.Services.GetRequiredService<DistributedApplicationModel>();
        var identity = model.Resources.Single(resource => resource.Name == "identity");
        var logs = fixture.App.Services.GetRequiredService<ResourceLoggerService>();
        var count = 0;
        await foreach (var batch in logs.GetAllAsync(identity).WithCancellation(Cancellation))
        {
            count += batch.Count(line => line.Content.Contains("/.well-known/jwks", StringComparison.Ordinal));
        }

        return count;
    }

    private async Task<int> EventuallyMoreThanAsync(int before)
    {
        var deadline = DateTimeOffset.UtcNow + PropagationBound;
        int count;
        while ((count = await JwksRequestsAsync()) <= before && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(200, Cancellation);
        }

        return count;
    }
}
