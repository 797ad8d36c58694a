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

    // RedisDecisionGuard's transition events (4101 entered, 4102 left).
    private const int FallbackEnteredEvent = 4101;
    private const int FallbackLeftEvent = 4102;

    // The promise is "never held for seconds" (an unguarded Redis client waits 2.7-6 s). The margin over the
    // budget absorbs a shared 2-core machine running other test assemblies at the same time (seen: 402 ms at a
    // load average of 9); the measured maximum is written to the test output.
    private static readonly TimeSpan MaxResponseTime = TimeSpan.FromMilliseconds(Budget + 925);

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
        var closed = await stack.Client.SendAsync(ResponseAssertions.Get("/api/v1/notes", stack.User("caller")), Cancellation);

        Assert.True(paused.Elapsed < TimeSpan.FromSeconds(3), "the requests must have run while Redis was paused");
        Assert.DoesNotContain(local, status => status >= HttpStatusCode.InternalServerError);
        // Local fallback: 20 ÷ 2 replicas = 10 per replica, then 429.
        Assert.Equal(10, local.Count(status => status == HttpStatusCode.OK));
        Assert.Equal(15, local.Count(status => status == HttpStatusCode.TooManyRequests));
        Assert.True(slowest < MaxResponseTime, $"slowest response took {slowest.TotalMilliseconds:F0} ms");
        TestContext.Current.TestOutputHelper?.WriteLine($"Redis paused: slowest of {local.Count} responses {slowest.TotalMilliseconds:F0} ms");

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
        var settings = Settings;
        settings["RateLimiting:Policies:per-user:PermitLimit"] = "6";
        settings["RateLimiting:Policies:per-user:Fallback"] = "Local";
        await using var stack = await GatewayTestContext.StartAsync(redis.ConnectionString, settings: settings);
        var services = stack.Gateways[0].Services;
        using var transitions = new MetricCollector<long>(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
            RateLimitingMetrics.MeterName, RateLimitingMetrics.FallbackTransitionsName);

        // Traffic runs throughout: before, while and after Redis goes away.
        using var traffic = new CancellationTokenSource();
        var statuses = new List<HttpStatusCode>();
        var slowest = TimeSpan.Zero;
        var load = Task.Run(async () =>
        {
            while (!traffic.IsCancellationRequested)
            {
                var (batch, batchSlowest) = await SendTimedAsync(stack.Client, "/.well-known/jwks", 1);
                lock (statuses)
                {
                    statuses.AddRange(batch);
                    slowest = batchSlowest > slowest ? batchSlowest : slowest;
                }

                await Task.Delay(20, CancellationToken.None);
            }
        }, CancellationToken.None);

        List<HttpStatusCode> subject;
        TimeSpan subjectSlowest;
        try
        {
            await Task.Delay(300, Cancellation);
            await redis.Container.StopAsync(Cancellation);

            var deadline = Stopwatch.StartNew();
            while (await RateLimitingHealthAsync(services) != HealthStatus.Degraded && deadline.Elapsed < TimeSpan.FromSeconds(5))
            {
                await Task.Delay(100, Cancellation);
            }

            Assert.Equal(HealthStatus.Degraded, await RateLimitingHealthAsync(services));
            // Readiness too says Degraded, not Unhealthy: the Gateway still serves, and must not be pulled.
            var readiness = await stack.Client.GetAsync("/health", Cancellation);
            Assert.Equal(HttpStatusCode.OK, readiness.StatusCode);
            Assert.Equal("Degraded", await readiness.Content.ReadAsStringAsync(Cancellation));

            // A partition nobody used before: the local fallback gives it 6 ÷ 2 = 3.
            (subject, subjectSlowest) = await SendTimedAsync(stack.Client, "/api/v1/notes", 5, stack.User("while-redis-is-down"));
        }
        finally
        {
            await traffic.CancelAsync();
            await load;
        }

        try
        {
            // How much background traffic fits in the outage depends on the machine's load, so its own 429s are
            // not asserted; the fresh partition above shows the fallback limit exactly.
            Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], subject);
            Assert.DoesNotContain(statuses, status => status >= HttpStatusCode.InternalServerError);
            slowest = subjectSlowest > slowest ? subjectSlowest : slowest;
            Assert.True(slowest < MaxResponseTime, $"slowest response took {slowest.TotalMilliseconds:F0} ms");
            TestContext.Current.TestOutputHelper?.WriteLine($"Redis stopped: slowest of {statuses.Count + subject.Count} responses {slowest.TotalMilliseconds:F0} ms");
            Assert.Equal(1, transitions.GetMeasurementSnapshot().Count(m => Equals(m.Tags["state"], "entered")));
        }
        finally
        {
            // Whatever failed above, the next test in the collection needs its Redis back.
            await redis.Container.StartAsync(Cancellation);
        }

        await AssertDistributedLimitingResumesAsync(stack, transitions);
    }

    [Fact]
    public async Task AGatewayStartsWithoutRedisAndLimitsOnItsFallbacks()
    {
        var settings = Settings;
        settings["RateLimiting:Policies:per-ip:PermitLimit"] = "10";
        // An anonymous route with an Open policy: authenticated routes cannot reach their limiter here (below).
        settings["RateLimiting:Policies:test-open:PartitionBy"] = "Ip";
        settings["RateLimiting:Policies:test-open:PermitLimit"] = "1";
        settings["RateLimiting:Policies:test-open:WindowSeconds"] = "60";
        settings["RateLimiting:Policies:test-open:Fallback"] = "Open";
        settings["ReverseProxy:Routes:test-open:ClusterId"] = "api";
        settings["ReverseProxy:Routes:test-open:Match:Path"] = "/open/{**catch-all}";
        settings["ReverseProxy:Routes:test-open:RateLimiterPolicy"] = "test-open";
        // Nothing listens on port 1: Redis is down before the Gateway starts.
        await using var stack = await GatewayTestContext.StartAsync("127.0.0.1:1", settings: settings);
        // The first request through a fresh host pays for JIT whatever Redis does; that is not what is timed here.
        await stack.Client.GetAsync("/unlimited/warm", Cancellation);

        var (statuses, slowest) = await SendTimedAsync(stack.Client, "/.well-known/jwks", 8);
        TestContext.Current.TestOutputHelper?.WriteLine($"Redis down from the start: slowest of {statuses.Count} responses {slowest.TotalMilliseconds:F0} ms");

        Assert.Equal(5, statuses.Count(status => status == HttpStatusCode.OK));
        Assert.Equal(3, statuses.Count(status => status == HttpStatusCode.TooManyRequests));
        Assert.True(slowest < MaxResponseTime, $"slowest response took {slowest.TotalMilliseconds:F0} ms");
        Assert.Equal(HealthStatus.Degraded, await RateLimitingHealthAsync(stack.Gateways[0].Services));

        // Open, because someone chose it for this policy: admitted beyond the limit, and saying nothing it
        // does not know (no RateLimit field), while the policy is still announced.
        using var decisions = new MetricCollector<long>(stack.Gateways[0].Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
            RateLimitingMetrics.MeterName, RateLimitingMetrics.DecisionsName);
        var open = new[] { await stack.Client.GetAsync("/open/a", Cancellation), await stack.Client.GetAsync("/open/b", Cancellation) };
        Assert.All(open, response => Assert.Equal(HttpStatusCode.OK, response.StatusCode));
        Assert.Equal("\"test-open\";q=1;w=60", open[1].Header("RateLimit-Policy"));
        Assert.Null(open[1].Header("RateLimit"));
        Assert.Equal(2, decisions.GetMeasurementSnapshot().Count(m => Equals(m.Tags["source"], "fallback-open")));

        // A token cannot be checked against a revocation list never read from Redis: fail closed, 503 to retry,
        // never a revoked token let through by a replica that started during the outage.
        using var authenticated = await stack.Client.SendAsync(ResponseAssertions.Get("/api/v1/notes", stack.User("caller")), Cancellation);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, authenticated.StatusCode);
        Assert.NotNull(authenticated.Header("Retry-After"));
    }

    /// <summary>
    /// Recovery needs nobody: requests keep coming, the breaker probes, Redis counts again, within 10 s of Redis
    /// being back (called as Redis returns); each transition is one metric and one log event.
    /// </summary>
    private async Task AssertDistributedLimitingResumesAsync(GatewayTestContext stack, MetricCollector<long> transitions)
    {
        var deadline = Stopwatch.StartNew();
        while (await RateLimitingHealthAsync(stack.Gateways[0].Services) != HealthStatus.Healthy && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            await stack.Client.SendAsync(ResponseAssertions.Get("/api/v1/notes", stack.User("caller")), Cancellation);
            await Task.Delay(200, Cancellation);
        }

        Assert.Equal(HealthStatus.Healthy, await RateLimitingHealthAsync(stack.Gateways[0].Services));
        TestContext.Current.TestOutputHelper?.WriteLine($"distributed limiting resumed {deadline.Elapsed.TotalMilliseconds:F0} ms after Redis returned");
        Assert.Equal(1, transitions.GetMeasurementSnapshot().Count(m => Equals(m.Tags["state"], "left")));
        Assert.Equal(1, stack.Gateways[0].Logs.Count(entry => entry.EventId.Id == FallbackEnteredEvent));
        Assert.Equal(1, stack.Gateways[0].Logs.Count(entry => entry.EventId.Id == FallbackLeftEvent));

        // The counter lives in Redis again: a request is visible there to every replica.
        await using var direct = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var server = direct.GetServers().Single();
        var before = server.Keys(pattern: $"*{stack.Gateways[0].KeyPrefix}:per-user*").Count();
        var response = await stack.Client.SendAsync(
            ResponseAssertions.Get("/api/v1/notes", stack.User($"after-recovery-{Guid.NewGuid():N}")), Cancellation);
        var after = server.Keys(pattern: $"*{stack.Gateways[0].KeyPrefix}:per-user*").Count();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(after > before, "the recovered decision was made in Redis");
    }

    private static async Task<(List<HttpStatusCode> Statuses, TimeSpan Slowest)> SendTimedAsync(
        HttpClient client, string path, int count, params (string Name, string Value)[] headers)
    {
        var statuses = new List<HttpStatusCode>(count);
        var slowest = TimeSpan.Zero;
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await client.SendAsync(ResponseAssertions.Get(path, headers), CancellationToken.None);
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
