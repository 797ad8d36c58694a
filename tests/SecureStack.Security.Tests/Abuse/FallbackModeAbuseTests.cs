using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Aspire.Hosting;
using System.Security.Cryptography;
using StackExchange.Redis;
using static SecureStack.Security.Tests.Abuse.AbuseRequests;

namespace SecureStack.Security.Tests.Abuse;

/// <summary>
/// The stack with Redis frozen (docker pause: connections stay open, nothing answers — the slow-Redis case, worse
/// than a refused connection). Attacker: the holder of a revoked token, and an anonymous guesser at the token
/// endpoint, both waiting for Redis trouble. Target: the deny-list and the token endpoint's limits. Property: a
/// revoked token stays refused (the deny-list is held in memory by every replica) and the token endpoint keeps
/// limiting (its policies fall back to Local, never Open). Redis is always unpaused, and the test waits for the
/// stack to use it again, so later tests in the collection (run one at a time) meet a healthy Redis.
/// </summary>
[Collection(AbuseCollection.Name)]
public sealed class FallbackModeAbuseTests(AbuseFixture fixture)
{
    /// <summary>token-ip's limit (30 a minute) as the replica admits it alone: limit ÷ ExpectedReplicas, 1 in this one-replica stack.</summary>
    private const int LocalTokenLimit = 30;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WhileRedisIsFrozenARevokedTokenStaysRefusedAndTheTokenEndpointStillLimits()
    {
        var revoked = await UserAccessTokenAsync(fixture, "frozen-revoked", "api.read");
        var valid = await UserAccessTokenAsync(fixture, "frozen-valid", "api.read");
        using (var revoker = fixture.CreateGatewayClientFrom(fixture.NewClientAddress()))
        {
            Assert.Equal(HttpStatusCode.OK, await RevokeAsync(revoker, revoked));
        }

        using var thief = fixture.CreateGatewayClientFrom(fixture.NewClientAddress(), revoked);
        Assert.Equal(HttpStatusCode.Unauthorized, await EventuallyAsync(thief, "/api/v1/notes", HttpStatusCode.Unauthorized));
        using var owner = fixture.CreateGatewayClientFrom(fixture.NewClientAddress(), valid);
        using var guesser = fixture.CreateGatewayClientFrom(fixture.NewClientAddress());

        var container = await RedisContainerAsync();
        await DockerAsync("pause", container);
        try
        {
            var thiefOutcomes = new List<HttpStatusCode>();
            var ownerOutcomes = new List<HttpStatusCode>();
            for (var i = 0; i < 10; i++)
            {
                using (var response = await thief.GetAsync("/api/v1/notes", Cancellation))
                {
                    thiefOutcomes.Add(response.StatusCode);
                }

                using (var response = await owner.GetAsync("/api/v1/notes", Cancellation))
                {
                    ownerOutcomes.Add(response.StatusCode);
                }
            }

            // Junk refresh tokens, a fresh partition each: only the address's budget (token-ip) can cap them. An
            // Open fallback would admit all of them.
            const int Guesses = LocalTokenLimit + 15;
            var guesses = new ConcurrentBag<HttpStatusCode>();
            await Parallel.ForEachAsync(Enumerable.Range(0, Guesses), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Cancellation },
                async (_, cancel) =>
                {
                    using var response = await guesser.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
                    {
                        ["grant_type"] = "refresh_token",
                        ["client_id"] = SecurityFixture.DemoClient,
                        ["refresh_token"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
                    }), cancel);
                    guesses.Add(response.StatusCode);
                });

            Assert.True(thiefOutcomes.All(status => status == HttpStatusCode.Unauthorized), $"revoked token with Redis frozen: {Summary(thiefOutcomes)}");
            // Positive control: the stack still serves valid tokens, so the 401s are the deny-list, not an outage.
            Assert.True(ownerOutcomes.All(status => status == HttpStatusCode.OK), $"valid token with Redis frozen: {Summary(ownerOutcomes)}");
            var admitted = guesses.Count(status => status != HttpStatusCode.TooManyRequests);
            Assert.True(admitted <= LocalTokenLimit, $"{admitted} of {Guesses} token requests admitted with Redis frozen ({Summary(guesses)}): not the Local fallback");
            Assert.True(guesses.All(status => status is HttpStatusCode.BadRequest or HttpStatusCode.TooManyRequests), Summary(guesses));
        }
        finally
        {
            await DockerAsync("unpause", container);
            await WaitForRedisAsync();
        }
    }

    /// <summary>This stack's Redis container: DCP labels each container with the resource instance it runs.</summary>
    private async Task<string> RedisContainerAsync()
    {
        var redis = await fixture.App.ResourceNotifications.WaitForResourceAsync("redis", _ => true, Cancellation);
        var containers = await DockerAsync("ps", "-q", "--filter", $"label=com.microsoft.developer.usvc-dev.name={redis.ResourceId}");
        return containers.Split('\n', StringSplitOptions.RemoveEmptyEntries).Single();
    }

    private async Task WaitForRedisAsync()
    {
        var options = ConfigurationOptions.Parse(await fixture.RedisConnectionStringAsync());
        await using var redis = await ConnectionMultiplexer.ConnectAsync(options);
        await redis.GetDatabase().PingAsync();
        // The Gateway's Redis breaker stays open for BreakerBreakSeconds (5) after it tripped.
        await Task.Delay(TimeSpan.FromSeconds(6), CancellationToken.None);
    }

    private static async Task<string> DockerAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("docker did not start");
        var output = await process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var error = await process.StandardError.ReadToEndAsync(CancellationToken.None);
        await process.WaitForExitAsync(CancellationToken.None);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"docker {string.Join(' ', arguments)}: {error}");
        }

        return output;
    }
}
