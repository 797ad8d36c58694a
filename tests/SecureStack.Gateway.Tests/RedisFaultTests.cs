using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using SecureStack.Gateway.RateLimiting;
using SecureStack.Testing;
using StackExchange.Redis;

namespace SecureStack.Gateway.Tests;

/// <summary>
/// Redis slow (paused) or gone (stopped) in the middle of traffic: answers stay within the decision budget,
/// never a 500, the fallbacks hold, and distributed limiting comes back by itself.
/// </summary>
[Collection(RedisFaultCollection.Name)]
public sealed class RedisFaultTests(RedisContainerFixture redis)
{
    private const int Budget = 75;

    // The machine is shared and has two cores: generous, but far below the seconds a blocked client would take.
    private static readonly TimeSpan MaxResponseTime = TimeSpan.FromMilliseconds(Budget + 250);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private static Dictionary<string, string?> Settings => new()
    {
        ["RateLimiting:DecisionBudgetMilliseconds"] = Budget.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["RateLimiting:ExpectedReplicas"] = "2",
        ["RateLimiting:Policies:per-ip:PermitLimit"] = "20",
        ["RateLimiting:Policies:per-ip:Fallback"] = "Local",
        ["RateLimiting:Policies:per-user:Fallback"] = "Closed",
    };

    [Fact]
    public async Task PausedRedisFallsBackWithinTheBudgetAndRecovers()
    {
        await using var stack = await GatewayTestContext.StartAsync(redis.ConnectionString, settings: Settings);
        var services = stack.Gateways[0].Services;
        using var transitions = new MetricCollector<long>(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
            RateLimitingMetrics.MeterName, RateLimitingMetrics.FallbackTransitionsName);

        // Warm: the first decisions are Redis's.
        Assert.Equal(HttpStatusCode.OK, (await stack.Client.GetAsync("/.well-known/jwks", Cancellation)).StatusCode);

        await redis.Container.ExecAsync(["redis-cli", "CLIENT", "PAUSE", "3000", "ALL"], Cancellation);
        var paused = Stopwatch.StartNew();

        var (local, slowest) = await SendTimedAsync(stack.Client, "/.well-known/jwks", 25);
        var closed = await stack.Client.GetAsync("/api/v1/notes", Cancellation);

        Assert.True(paused.Elapsed < TimeSpan.FromSeconds(3), "the requests must have run while Redis was paused");
        Assert.DoesNotContain(local, status => status >= HttpStatusCode.InternalServerError);
        // Local fallback: 20 ÷ 2 replicas = 10 per replica, then 429.
        Assert.Equal(10, local.Count(status => status == HttpStatusCode.OK));
        Assert.Equal(15, local.Count(status => status == HttpStatusCode.TooManyRequests));
        Assert.True(slowest < MaxResponseTime, $"slowest response took {slowest.TotalMilliseconds:F0} ms");
        TestContext.Current.SendDiagnosticMessage($"Redis paused: slowest of {local.Count} responses {slowest.TotalMilliseconds:F0} ms");

        // Closed fallback: refuse rather than guess.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, closed.StatusCode);
        Assert.NotNull(closed.Header("Retry-After"));
        Assert.True(closed.IsProblemJson());

        Assert.Equal(1, transitions.GetMeasurementSnapshot().Count(m => Equals(m.Tags["state"], "entered")));
        Assert.Equal(HealthStatus.Degraded, await RateLimitingHealthAsync(services));

        await AssertDistributedLimitingResumesAsync(stack, transitions);
    }

    [Fact]
    public async Task StoppedRedisFallsBackMidTrafficAndRecoversWhenItReturns()
    {
        await using var stack = await GatewayTestContext.StartAsync(redis.ConnectionString, settings: Settings);
        var services = stack.Gateways[0].Services;
        using var transitions = new MetricCollector<long>(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
            RateLimitingMetrics.MeterName, RateLimitingMetrics.FallbackTransitionsName);

        // Traffic runs throughout: before, during and after Redis goes away.
        using var traffic = new CancellationTokenSource();
        var statuses = new List<(bool AfterStop, HttpStatusCode Status)>();
        var stopped = false;
        var slowest = TimeSpan.Zero;
        var load = Task.Run(async () =>
        {
            while (!traffic.IsCancellationRequested)
            {
                var afterStop = Volatile.Read(ref stopped);
                var (batch, batchSlowest) = await SendTimedAsync(stack.Client, "/.well-known/jwks", 1);
                lock (statuses)
                {
                    statuses.Add((afterStop, batch[0]));
                    slowest = batchSlowest > slowest ? batchSlowest : slowest;
                }

                await Task.Delay(20, CancellationToken.None);
            }
        }, CancellationToken.None);

        await Task.Delay(300, Cancellation);
        await redis.Container.StopAsync(Cancellation);
        Volatile.Write(ref stopped, true);
        try
        {
            await Task.Delay(1500, Cancellation);
            Assert.Equal(HealthStatus.Degraded, await RateLimitingHealthAsync(services));
        }
        finally
        {
            await traffic.CancelAsync();
            await load;
        }

        Assert.DoesNotContain(statuses, entry => entry.Status >= HttpStatusCode.InternalServerError);
        var afterStop = statuses.Where(entry => entry.AfterStop).Select(entry => entry.Status).ToList();
        Assert.True(afterStop.Count > 20, $"only {afterStop.Count} requests ran while Redis was down");
        // Once Redis is gone the local fallback admits 20 ÷ 2 = 10 at most (plus one in flight during the stop).
        Assert.InRange(afterStop.Count(status => status == HttpStatusCode.OK), 1, 11);
        Assert.Contains(HttpStatusCode.TooManyRequests, afterStop);
        Assert.True(slowest < MaxResponseTime, $"slowest response took {slowest.TotalMilliseconds:F0} ms");
        TestContext.Current.SendDiagnosticMessage($"Redis stopped: slowest of {statuses.Count} responses {slowest.TotalMilliseconds:F0} ms");
        Assert.Equal(1, transitions.GetMeasurementSnapshot().Count(m => Equals(m.Tags["state"], "entered")));

        await redis.Container.StartAsync(Cancellation);
        await AssertDistributedLimitingResumesAsync(stack, transitions);
    }

    /// <summary>Recovery needs nobody: requests keep coming, the breaker probes, Redis counts again.</summary>
    private async Task AssertDistributedLimitingResumesAsync(GatewayTestContext stack, MetricCollector<long> transitions)
    {
        var deadline = Stopwatch.StartNew();
        while (await RateLimitingHealthAsync(stack.Gateways[0].Services) != HealthStatus.Healthy && deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            await stack.Client.GetAsync("/api/v1/notes", Cancellation);
            await Task.Delay(200, Cancellation);
        }

        Assert.Equal(HealthStatus.Healthy, await RateLimitingHealthAsync(stack.Gateways[0].Services));
        Assert.Equal(1, transitions.GetMeasurementSnapshot().Count(m => Equals(m.Tags["state"], "left")));

        // The counter lives in Redis again: a request is visible there to every replica.
        await using var direct = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var server = direct.GetServers().Single();
        var before = server.Keys(pattern: $"*{stack.Gateways[0].KeyPrefix}:per-user*").Count();
        var response = await stack.Client.SendAsync(
            ResponseAssertions.Get("/api/v1/notes", (GatewayFactory.TestSubjectHeader, $"after-recovery-{Guid.NewGuid():N}")), Cancellation);
        var after = server.Keys(pattern: $"*{stack.Gateways[0].KeyPrefix}:per-user*").Count();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(after > before, "the recovered decision was made in Redis");
    }

    private static async Task<(List<HttpStatusCode> Statuses, TimeSpan Slowest)> SendTimedAsync(HttpClient client, string path, int count)
    {
        var statuses = new List<HttpStatusCode>(count);
        var slowest = TimeSpan.Zero;
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await client.GetAsync(path, CancellationToken.None);
            var elapsed = Stopwatch.GetElapsedTime(started);
            slowest = elapsed > slowest ? elapsed : slowest;
            statuses.Add(response.StatusCode);
        }

        return (statuses, slowest);
    }

    private static async Task<HealthStatus> RateLimitingHealthAsync(IServiceProvider services)
    {
        var report = await services.GetRequiredService<HealthCheckService>().CheckHealthAsync(
            registration => registration.Name == RedisDecisionGuard.HealthCheckName, Cancellation);
        return report.Status;
    }
}
