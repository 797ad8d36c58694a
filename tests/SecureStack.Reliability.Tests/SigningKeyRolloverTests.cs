using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using SecureStack.Reliability.Tests.Infrastructure;
using SecureStack.ServiceDefaults.Authentication;

namespace SecureStack.Reliability.Tests;

/// <summary>Identity's signing key replaced while traffic flows, the planned way and in an emergency.</summary>
[Collection(ReliabilityCollection.Name)]
public sealed class SigningKeyRolloverTests(RedisContainerFixture redis)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    /// <summary>
    /// Fault: the signing key changes under steady traffic: a new certificate is published before it is valid
    /// (Identity restarted with both), then used once valid (restarted again), then the old one is withdrawn in an
    /// emergency (restarted with the new one only). Promise: the Gateway and the Api know the new key before the
    /// first token signed with it arrives; tokens signed with the old key keep validating until it is withdrawn;
    /// not one false 401 across the switch; a withdrawn key is refused within the configured refresh interval.
    /// </summary>
    [Fact]
    public async Task ANewKeyIsPublishedThenUsedWithoutAFalse401AndAWithdrawnKeyIsRefusedWithinTheRefreshInterval()
    {
        // Far enough ahead that the publish phase (a stack start, an Identity restart and a refresh) ends before the
        // new certificate becomes valid, even on a loaded machine; the test waits out the rest.
        var validFrom = DateTimeOffset.UtcNow.AddSeconds(40);
        var (next, nextCertificate) = TestCertificates.Create("reliability signing 2", validFrom, validFrom.AddDays(60));
        await using var stack = await FaultStack.StartAsync(redis.ConnectionString);
        var oldToken = FaultStack.AccessToken(await stack.LoginDemoUserAsync());
        var oldKeyId = new JsonWebToken(oldToken).Kid;
        var newKeyId = nextCertificate.Thumbprint;

        var tokens = new ConcurrentDictionary<string, string> { ["old"] = oldToken };
        var outcomes = new ConcurrentQueue<(string Token, HttpStatusCode Status)>();
        using var stopTraffic = new CancellationTokenSource();
        var traffic = SteadyTrafficAsync(stack, tokens, outcomes, stopTraffic.Token);

        // Publish: both certificates configured; the new one is not valid yet, so it is announced, not used.
        stack.SigningKeys = [stack.SigningKey, next];
        await stack.RestartIdentityAsync();
        var published = Stopwatch.StartNew();
        await Wait.UntilAsync(async () => await KnowsKeyAsync(stack.Gateway!, newKeyId) && await KnowsKeyAsync(stack.Api, newKeyId),
            FaultStack.KeyRefreshInterval * 5, "the Gateway and the Api know the published key");
        Wait.Report($"published key known to the Gateway and the Api {published.Elapsed.TotalMilliseconds:F0} ms after Identity served it");
        var tokenAfterPublish = FaultStack.AccessToken(await stack.LoginDemoUserAsync());
        Assert.True(DateTimeOffset.UtcNow < validFrom, "the publish phase outlasted the new certificate's NotBefore: the machine is too slow for this margin");
        Assert.Equal(oldKeyId, new JsonWebToken(tokenAfterPublish).Kid);

        // Switch: once the new certificate is valid, Identity (restarted) signs with it.
        var untilValid = validFrom.AddSeconds(1) - DateTimeOffset.UtcNow;
        if (untilValid > TimeSpan.Zero)
        {
            await Task.Delay(untilValid, Cancellation);
        }

        await stack.RestartIdentityAsync();
        var newToken = FaultStack.AccessToken(await stack.LoginDemoUserAsync());
        Assert.Equal(newKeyId, new JsonWebToken(newToken).Kid);
        tokens["new"] = newToken;
        await Task.Delay(FaultStack.KeyRefreshInterval * 2, Cancellation);

        var acrossTheSwitch = outcomes.ToList();
        Wait.Report($"across publish and switch: {acrossTheSwitch.Count} requests, {acrossTheSwitch.Count(o => o.Status != HttpStatusCode.OK)} not 200");
        Assert.Contains(acrossTheSwitch, outcome => outcome.Token == "new");
        Assert.All(acrossTheSwitch, outcome => Assert.Equal(HttpStatusCode.OK, outcome.Status));

        // Emergency: the old key is withdrawn. Tokens signed with it must stop working everywhere, soon.
        stack.SigningKeys = [next];
        await stack.RestartIdentityAsync();
        var withdrawn = Stopwatch.StartNew();
        using var api = stack.Api.CreateHttpClient();
        await Wait.UntilAsync(async () =>
                await StatusAsync(stack.Client, oldToken) == HttpStatusCode.Unauthorized
                && await StatusAsync(api, oldToken) == HttpStatusCode.Unauthorized,
            FaultStack.KeyRefreshInterval * 5, "the withdrawn key refused by the Gateway and the Api");
        var refusedAfter = withdrawn.Elapsed;
        Wait.Report($"withdrawn key refused by the Gateway and the Api {refusedAfter.TotalMilliseconds:F0} ms after Identity stopped publishing it (refresh interval {FaultStack.KeyRefreshInterval.TotalSeconds:F0} s)");

        await stopTraffic.CancelAsync();
        await traffic;
        // The interval, plus one fetch and a loaded machine's scheduling.
        Assert.True(refusedAfter < FaultStack.KeyRefreshInterval + TimeSpan.FromSeconds(3),
            $"refused after {refusedAfter.TotalMilliseconds:F0} ms");
        Assert.All(outcomes.Where(outcome => outcome.Token == "new"), outcome => Assert.Equal(HttpStatusCode.OK, outcome.Status));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(api, newToken));
    }

    private static async Task SteadyTrafficAsync(
        FaultStack stack, ConcurrentDictionary<string, string> tokens, ConcurrentQueue<(string, HttpStatusCode)> outcomes, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            foreach (var (name, token) in tokens)
            {
                outcomes.Enqueue((name, await StatusAsync(stack.Client, token)));
            }

            await Task.Delay(25, CancellationToken.None);
        }
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient client, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/notes");
        request.Headers.Authorization = new("Bearer", token);
        using var response = await client.SendAsync(request, CancellationToken.None);
        return response.StatusCode;
    }

    private static async Task<bool> KnowsKeyAsync<T>(ServiceHost<T> host, string keyId)
        where T : class
    {
        var configuration = await host.Services.GetRequiredService<SigningKeyCache>().GetConfigurationAsync(Cancellation);
        return configuration.SigningKeys.Any(key => string.Equals(key.KeyId, keyId, StringComparison.OrdinalIgnoreCase));
    }
}
