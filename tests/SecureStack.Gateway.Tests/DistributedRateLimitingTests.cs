using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using SecureStack.Gateway.RateLimiting;
using SecureStack.ServiceDefaults.Security;
using SecureStack.Testing;

namespace SecureStack.Gateway.Tests;

[Collection(RedisCollection.Name)]
public sealed partial class DistributedRateLimitingTests(RedisContainerFixture redis)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task LimitHoldsAcrossThreeGatewayReplicasSharingRedis()
    {
        await using var stack = await GatewayTestContext.StartAsync(redis.ConnectionString, replicas: 3, settings: new Dictionary<string, string?>
        {
            ["RateLimiting:Policies:per-ip:PermitLimit"] = "12",
        });

        // 30 requests spread over the replicas, several at a time: each replica alone would admit 12.
        var responses = await Task.WhenAll(Enumerable.Range(0, 30).Select(i =>
            stack.Clients[i % 3].GetAsync("/.well-known/openid-configuration", Cancellation)));

        Assert.Equal(12, responses.Count(HttpStatusCode.OK));
        Assert.Equal(18, responses.Count(HttpStatusCode.TooManyRequests));
        Assert.Equal(12, stack.Backend.Requests);
    }

    [Fact]
    public async Task SpoofedForwardedForDoesNotChangeThePartition()
    {
        await using var stack = await GatewayTestContext.StartAsync(redis.ConnectionString, settings: new Dictionary<string, string?>
        {
            ["RateLimiting:Policies:per-ip:PermitLimit"] = "5",
        });

        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 10; i++)
        {
            // A fresh address per request: if the Gateway believed it, every request would get a fresh limit.
            responses.Add(await stack.Client.SendAsync(
                ResponseAssertions.Get("/.well-known/jwks", ("X-Forwarded-For", $"203.0.113.{i + 1}")), Cancellation));
        }

        Assert.Equal(5, responses.Count(HttpStatusCode.OK));
        var echo = await responses[0].Content.ReadFromJsonAsync<Echo>(Cancellation);
        Assert.Equal("127.0.0.1", echo!.Headers["X-Forwarded-For"]);
    }

    [Fact]
    public async Task ForwardedForFromATrustedProxyPartitionsByTheClientBehindIt()
    {
        await using var stack = await GatewayTestContext.StartAsync(redis.ConnectionString, settings: new Dictionary<string, string?>
        {
            ["RateLimiting:Policies:per-ip:PermitLimit"] = "3",
            ["RateLimiting:TrustedProxies:0"] = "127.0.0.0/8",
        });

        var responses = new List<HttpResponseMessage>();
        foreach (var client in new[] { "198.51.100.7", "198.51.100.8" })
        {
            for (var i = 0; i < 4; i++)
            {
                responses.Add(await stack.Client.SendAsync(
                    ResponseAssertions.Get("/.well-known/jwks", ("X-Forwarded-For", $"{client}, 127.0.0.2")), Cancellation));
            }
        }

        // Two clients behind the proxy, three each: the proxy's own address is not the partition.
        Assert.Equal(6, responses.Count(HttpStatusCode.OK));
    }

    [Fact]
    public async Task SubjectClientAndAddressPartitionsAreIndependent()
    {
        await using var stack = await GatewayTestContext.StartAsync(redis.ConnectionString, settings: new Dictionary<string, string?>
        {
            ["RateLimiting:Policies:per-user:PermitLimit"] = "3",
        });

        async Task<HttpStatusCode[]> Send(int count, params (string, string)[] headers)
        {
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < count; i++)
            {
                statuses.Add((await stack.Client.SendAsync(ResponseAssertions.Get("/api/v1/notes", headers), Cancellation)).StatusCode);
            }

            return [.. statuses];
        }

        var anonymous = await Send(4);
        var alice = await Send(4, stack.User("alice"));
        var bob = await Send(1, stack.User("bob"));
        var machine = await Send(4, stack.Machine("reporting-service"));

        // Same address throughout: each identity still has its own three. Without a token the edge answers 401,
        // and those are counted against the address too, so a flood of bad tokens is limited like anything else.
        HttpStatusCode[] threeThenLimited = [HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests];
        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], anonymous);
        Assert.Equal(threeThenLimited, alice);
        Assert.Equal([HttpStatusCode.OK], bob);
        Assert.Equal(threeThenLimited, machine);
    }

    [Fact]
    public async Task AdmittedAndRejectedResponsesCarryTheRateLimitFields()
    {
        await using var stack = await GatewayTestContext.StartAsync(redis.ConnectionString, settings: new Dictionary<string, string?>
        {
            ["RateLimiting:Policies:per-ip:PermitLimit"] = "2",
            ["RateLimiting:Policies:per-ip:WindowSeconds"] = "30",
        });

        using var securityEvents = new MetricCollector<long>(
            stack.Gateways[0].Services.GetRequiredService<IMeterFactory>(), SecurityEvents.MeterName, "securestack.security.events");

        var first = await stack.Client.GetAsync("/.well-known/jwks", Cancellation);
        await stack.Client.GetAsync("/.well-known/jwks", Cancellation);
        var rejected = await stack.Client.GetAsync("/.well-known/jwks", Cancellation);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("\"per-ip\";q=2;w=30", first.Header("RateLimit-Policy"));
        Assert.Matches(RemainingOne(), first.Header("RateLimit"));

        Assert.Equal(HttpStatusCode.TooManyRequests, rejected.StatusCode);
        Assert.Equal("\"per-ip\";q=2;w=30", rejected.Header("RateLimit-Policy"));
        Assert.Matches(RemainingNone(), rejected.Header("RateLimit"));
        var retryAfter = int.Parse(rejected.Header("Retry-After")!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 30);

        Assert.True(rejected.IsProblemJson());
        using var problem = JsonDocument.Parse(await rejected.Content.ReadAsStringAsync(Cancellation));
        Assert.Equal(429, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Matches("^[0-9a-f]{32}$", problem.RootElement.GetProperty("traceId").GetString());

        // One security event, for the one rejection.
        Assert.Single(securityEvents.GetMeasurementSnapshot(), m => Equals(m.Tags["event"], "RateLimited") && Equals(m.Tags["policy"], "per-ip"));
    }

    [Fact]
    public async Task TokenEndpointIsLimitedPerUserNameAndPerAddress()
    {
        await using var stack = await GatewayTestContext.StartAsync(redis.ConnectionString, settings: new Dictionary<string, string?>
        {
            ["RateLimiting:Policies:token:PermitLimit"] = "2",
            ["RateLimiting:Policies:token-ip:PermitLimit"] = "5",
        });

        async Task<HttpResponseMessage> Token(string userName) => await stack.Client.SendAsync(
            ResponseAssertions.TokenRequest(("grant_type", "password"), ("username", userName), ("password", "guess"), ("client_id", "spa")),
            Cancellation);

        var alice = new[] { await Token("alice"), await Token("Alice"), await Token("alice") };
        var bob = new[] { await Token("bob"), await Token("bob") };
        var carol = await Token("carol");

        // Two guesses per user name, whatever its case ...
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], alice.Select(r => r.StatusCode));
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], bob.Select(r => r.StatusCode));
        // ... and five per address across user names (spraying one password over many accounts).
        Assert.Equal(HttpStatusCode.TooManyRequests, carol.StatusCode);
        Assert.StartsWith("\"token-ip\";q=5;w=60, \"token\";q=2;w=60", alice[0].Header("RateLimit-Policy"));

        // The form the limiter read is still forwarded whole.
        var echo = await alice[0].Content.ReadFromJsonAsync<Echo>(Cancellation);
        Assert.Equal("grant_type=password&username=alice&password=guess&client_id=spa", echo!.Body);
    }

    [Fact]
    public async Task TokenEndpointIsLimitedPerClientForClientCredentials()
    {
        await using var stack = await GatewayTestContext.StartAsync(redis.ConnectionString, settings: new Dictionary<string, string?>
        {
            ["RateLimiting:Policies:token:PermitLimit"] = "2",
        });

        async Task<HttpStatusCode> Token(string clientId)
        {
            using var request = ResponseAssertions.TokenRequest(("grant_type", "client_credentials"));
            // client_secret_basic: the client id travels in the Authorization header, not in the form.
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
                "Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{clientId}:wrong-secret")));
            return (await stack.Client.SendAsync(request, Cancellation)).StatusCode;
        }

        HttpStatusCode[] reporting = [await Token("reporting"), await Token("reporting"), await Token("reporting")];
        var billing = await Token("billing");

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], reporting);
        Assert.Equal(HttpStatusCode.OK, billing);
    }

    [Fact]
    public async Task GlobalConcurrencyCapHoldsAcrossReplicas()
    {
        await using var stack = await GatewayTestContext.StartAsync(redis.ConnectionString, replicas: 2, settings: new Dictionary<string, string?>
        {
            ["RateLimiting:Policies:expensive:PermitLimit"] = "2",
        });

        // Six at once, each held by the backend for 1.5 s: only two may be in flight, across both replicas.
        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            stack.Clients[i % 2].SendAsync(ResponseAssertions.Get($"/api/expensive/report-{i}", stack.User($"reporter-{i}")), Cancellation)));

        Assert.Equal(2, responses.Count(HttpStatusCode.OK));
        Assert.Equal(4, responses.Count(HttpStatusCode.TooManyRequests));

        // Released when they finish (in the background, off the request path): the next one is admitted.
        var admittedAgain = false;
        for (var attempt = 0; attempt < 20 && !admittedAgain; attempt++)
        {
            admittedAgain = (await stack.Clients[1].SendAsync(ResponseAssertions.Get("/api/expensive/again", stack.User("reporter-again")), Cancellation)).StatusCode == HttpStatusCode.OK;
            if (!admittedAgain)
            {
                await Task.Delay(100, Cancellation);
            }
        }

        Assert.True(admittedAgain);
    }

    [Fact]
    public async Task DecisionsAreSpanAttributesAndMetricsThatNameNoClient()
    {
        await using var stack = await GatewayTestContext.StartAsync(redis.ConnectionString);
        using var decisions = new MetricCollector<long>(
            stack.Gateways[0].Services.GetRequiredService<IMeterFactory>(), RateLimitingMetrics.MeterName, RateLimitingMetrics.DecisionsName);
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (spans)
                {
                    spans.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        await stack.Client.SendAsync(ResponseAssertions.Get("/api/v1/notes", stack.User("alice@example.com")), Cancellation);

        // The server's span stops just after the response is sent, which can be after the client has it.
        bool Recorded()
        {
            lock (spans)
            {
                return spans.Any(activity => activity.GetTagItem("securestack.rate_limit.policy") is "per-user");
            }
        }

        for (var attempt = 0; attempt < 100 && !Recorded(); attempt++)
        {
            await Task.Delay(20, Cancellation);
        }

        Activity span;
        lock (spans)
        {
            span = Assert.Single(spans, activity => activity.GetTagItem("securestack.rate_limit.policy") is "per-user");
        }

        Assert.Equal("subject", span.GetTagItem("securestack.rate_limit.partition_kind"));
        Assert.Equal("admitted", span.GetTagItem("securestack.rate_limit.outcome"));
        Assert.Equal("redis", span.GetTagItem("securestack.rate_limit.source"));
        Assert.Equal(false, span.GetTagItem("securestack.rate_limit.fallback"));

        var measurement = Assert.Single(decisions.GetMeasurementSnapshot());
        Assert.Equal(["outcome", "partition_kind", "policy", "source"], measurement.Tags.Keys.Order());
        Assert.DoesNotContain(measurement.Tags.Values, value => value is string text && (text.Contains("alice", StringComparison.Ordinal) || text.Contains("127.0.0.1", StringComparison.Ordinal)));
    }

    [GeneratedRegex("^\"per-ip\";r=1;t=([1-9]|[12][0-9]|30)$")]
    private static partial Regex RemainingOne();

    [GeneratedRegex("^\"per-ip\";r=0;t=([1-9]|[12][0-9]|30)$")]
    private static partial Regex RemainingNone();
}
