using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using SecureStack.Reliability.Tests.Infrastructure;
using SecureStack.ServiceDefaults.Authentication;

namespace SecureStack.Reliability.Tests;

/// <summary>Identity stopped after the Gateway and Api have its keys, and Identity down when they start.</summary>
[Collection(ReliabilityCollection.Name)]
public sealed class IdentityFaultTests(RedisContainerFixture redis)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    /// <summary>
    /// Fault: Identity stops while tokens are in use. Promise: tokens already issued keep working (the Gateway and
    /// the Api validate with the keys they cached, however many refreshes fail), new logins get a quick 503
    /// ProblemDetails, readiness stays up (Degraded), one warning per outage; Identity back, logins work again
    /// and the keys refresh, with nothing else restarted.
    /// </summary>
    [Fact]
    public async Task IdentityDownKeepsIssuedTokensWorkingFailsLoginsWithA503AndRecoversWithoutRestarts()
    {
        await using var stack = await FaultStack.StartAsync(redis.ConnectionString);
        var token = FaultStack.AccessToken(await stack.LoginDemoUserAsync());
        Assert.Equal(HttpStatusCode.OK, (await stack.SendAsync(HttpMethod.Get, "/api/v1/notes", token)).StatusCode);

        await stack.StopIdentityAsync();
        var down = Stopwatch.StartNew();

        // Several refresh intervals without Identity: every refresh fails, every valid token still passes.
        var statuses = new List<HttpStatusCode>();
        while (down.Elapsed < FaultStack.KeyRefreshInterval * 4)
        {
            using var response = await stack.SendAsync(HttpMethod.Get, "/api/v1/notes", token);
            statuses.Add(response.StatusCode);
            await Task.Delay(50, Cancellation);
        }

        var loginStarted = Stopwatch.StartNew();
        using var login = await stack.PostTokenAsync(new()
        {
            ["grant_type"] = "password",
            ["client_id"] = FaultStack.DemoClient,
            ["username"] = FaultStack.DemoUser,
            ["password"] = stack.DemoPassword,
        });
        var loginTook = loginStarted.Elapsed;
        using var readiness = await stack.Client.GetAsync("/health", Cancellation);

        Wait.Report($"Identity down {down.Elapsed.TotalSeconds:F1} s: {statuses.Count} requests with a cached-key token, login answered {(int)login.StatusCode} in {loginTook.TotalMilliseconds:F0} ms");
        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.OK, status));
        await SecurityBaseline.AssertSafeProblemAsync(login, HttpStatusCode.ServiceUnavailable);
        SecurityBaseline.AssertApiHeaders(login);
        Assert.True(loginTook < TimeSpan.FromSeconds(5), $"the login took {loginTook.TotalMilliseconds:F0} ms");
        // Degraded, not Unhealthy: the Gateway still serves, and must not be taken out of rotation.
        Assert.Equal(HttpStatusCode.OK, readiness.StatusCode);
        Assert.Equal(HealthStatus.Degraded, await stack.Gateway!.SigningKeysHealthAsync());
        Assert.Equal(HealthStatus.Degraded, await stack.Api.SigningKeysHealthAsync());
        Assert.Equal(1, stack.Gateway.CountLogs(SigningKeyLogEvents.RefreshFailed));
        Assert.Equal(1, stack.Api.CountLogs(SigningKeyLogEvents.RefreshFailed));

        stack.StartIdentity();
        var back = Stopwatch.StartNew();
        var fresh = FaultStack.AccessToken(await stack.LoginDemoUserAsync());
        Assert.Equal(HttpStatusCode.OK, (await stack.SendAsync(HttpMethod.Get, "/api/v1/notes", fresh)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await stack.SendAsync(HttpMethod.Get, "/api/v1/notes", token)).StatusCode);
        await Wait.UntilAsync(async () => await stack.Gateway.SigningKeysHealthAsync() == HealthStatus.Healthy
                && await stack.Api.SigningKeysHealthAsync() == HealthStatus.Healthy,
            TimeSpan.FromSeconds(20), "the signing keys refreshed again");
        Wait.Report($"Identity back: logins and refreshed keys {back.Elapsed.TotalSeconds:F1} s after its restart");
    }

    /// <summary>
    /// Fault: Identity is down when the Gateway and Api start. Promise: the Gateway reports not-ready (503 on
    /// /health) and answers a token-bearing request with a 503 ProblemDetails, never a 500 or a false 401; once
    /// Identity is up it becomes ready and serves, without a restart.
    /// </summary>
    [Fact]
    public async Task AGatewayStartedBeforeIdentityIsNotReadyServesNo500AndBecomesReadyWhenIdentityIsUp()
    {
        await using var stack = await FaultStack.StartAsync(redis.ConnectionString, startIdentity: false);

        using var readiness = await stack.Client.GetAsync("/health", Cancellation);
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "Unhealthy"), (readiness.StatusCode, await readiness.Content.ReadAsStringAsync(Cancellation)));
        Assert.Equal(HealthStatus.Unhealthy, await stack.Gateway!.SigningKeysHealthAsync());

        // A token nobody can check yet (well-formed or not): 503 and come back, neither "invalid" nor a crash.
        using var withToken = await stack.SendAsync(HttpMethod.Get, "/api/v1/notes", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln");
        await SecurityBaseline.AssertSafeProblemAsync(withToken, HttpStatusCode.ServiceUnavailable);
        Assert.NotNull(withToken.Headers.RetryAfter);
        using var login = await stack.PostTokenAsync(new() { ["grant_type"] = "client_credentials" });
        await SecurityBaseline.AssertSafeProblemAsync(login, HttpStatusCode.ServiceUnavailable);
        // No token, no keys needed: the answer is the usual 401.
        using var anonymous = await stack.SendAsync(HttpMethod.Get, "/api/v1/notes", accessToken: null);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        stack.StartIdentity();
        var ready = await Wait.UntilAsync(async () => (await stack.Client.GetAsync("/health", Cancellation)).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), "the Gateway's readiness");
        Wait.Report($"Gateway ready {ready.TotalSeconds:F1} s after Identity started");

        var token = FaultStack.AccessToken(await stack.LoginDemoUserAsync());
        Assert.Equal(HttpStatusCode.OK, (await stack.SendAsync(HttpMethod.Get, "/api/v1/notes", token)).StatusCode);
    }
}
