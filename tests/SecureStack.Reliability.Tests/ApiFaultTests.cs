using System.Diagnostics;
using System.Net;
using SecureStack.Reliability.Tests.Infrastructure;

namespace SecureStack.Reliability.Tests;

/// <summary>
/// The Api failing behind the Gateway: crashing (5xx), hanging past the route timeout, stopped. Each time the
/// client gets the Gateway's own 502/503/504 ProblemDetails, with the security headers and nothing of the Api's,
/// within the route timeout; Identity's routes keep answering throughout.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class ApiFaultTests(RedisContainerFixture redis)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    /// <summary>Fault: the Api answers 500 with internals in the body. Promise: 502 ProblemDetails, none of it passed on.</summary>
    [Fact]
    public async Task ACrashingApiIsA502ProblemThatPassesOnNothingOfItsAnswer()
    {
        var faults = new ApiFaults();
        await using var stack = await FaultStack.StartAsync(redis.ConnectionString, apiServices: faults.Install);
        var token = FaultStack.AccessToken(await stack.LoginDemoUserAsync());

        faults.Current = ApiFault.Crash;
        using var response = await stack.SendAsync(HttpMethod.Get, "/api/v1/notes", token);

        await SecurityBaseline.AssertSafeProblemAsync(response, HttpStatusCode.BadGateway);
        SecurityBaseline.AssertApiHeaders(response);
        var body = await response.Content.ReadAsStringAsync(Cancellation);
        Assert.DoesNotContain("db-internal", body, StringComparison.Ordinal);
        Assert.DoesNotContain("NoteQueries", body, StringComparison.Ordinal);
        await AssertIdentityRoutesAnswerAsync(stack);

        faults.Current = ApiFault.None;
        Assert.Equal(HttpStatusCode.OK, (await stack.SendAsync(HttpMethod.Get, "/api/v1/notes", token)).StatusCode);
    }

    /// <summary>
    /// Fault: the Api holds requests far beyond the route timeout. Promise: 504 ProblemDetails once the route
    /// timeout is up (not when the Api gives up), while Identity's routes answer as usual meanwhile.
    /// </summary>
    [Fact]
    public async Task AHangingApiIsA504ProblemAtTheRouteTimeoutWhileOtherRoutesKeepAnswering()
    {
        var faults = new ApiFaults();
        await using var stack = await FaultStack.StartAsync(redis.ConnectionString, apiServices: faults.Install);
        var token = FaultStack.AccessToken(await stack.LoginDemoUserAsync());

        faults.Current = ApiFault.Hang;
        var started = Stopwatch.StartNew();
        var hanging = stack.SendAsync(HttpMethod.Get, "/api/v1/notes", token);
        await AssertIdentityRoutesAnswerAsync(stack);
        using var response = await hanging;
        var elapsed = started.Elapsed;

        Wait.Report($"hanging Api: 504 after {elapsed.TotalMilliseconds:F0} ms (route timeout {FaultStack.RouteTimeout.TotalSeconds:F0} s)");
        await SecurityBaseline.AssertSafeProblemAsync(response, HttpStatusCode.GatewayTimeout);
        SecurityBaseline.AssertApiHeaders(response);
        // The route's timeout, with room for a loaded machine; far below the Api's 20 s hang.
        Assert.InRange(elapsed, FaultStack.RouteTimeout - TimeSpan.FromMilliseconds(500), FaultStack.RouteTimeout + TimeSpan.FromSeconds(4));
    }

    /// <summary>
    /// Fault: the Api process is gone (connection refused). Promise: a quick 503 ProblemDetails naming no backend,
    /// Identity's routes unaffected; the Api restarted on its data serves the notes it had, unchanged.
    /// </summary>
    [Fact]
    public async Task AStoppedApiIsAQuick503ProblemAndOnceRestartedServesTheNotesItHad()
    {
        await using var stack = await FaultStack.StartAsync(redis.ConnectionString);
        var token = FaultStack.AccessToken(await stack.LoginDemoUserAsync());
        using var created = await stack.SendAsync(HttpMethod.Post, "/api/v1/notes", token, new { title = "kept", body = "across a restart", tags = new[] { "durable" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var location = created.Headers.Location!.OriginalString;
        var etag = created.Headers.ETag!.Tag;

        await stack.StopApiAsync();
        var started = Stopwatch.StartNew();
        using var response = await stack.SendAsync(HttpMethod.Get, location, token);
        var elapsed = started.Elapsed;

        Wait.Report($"stopped Api: {(int)response.StatusCode} after {elapsed.TotalMilliseconds:F0} ms");
        await SecurityBaseline.AssertSafeProblemAsync(response, HttpStatusCode.ServiceUnavailable);
        SecurityBaseline.AssertApiHeaders(response);
        Assert.DoesNotContain("127.0.0.1", await response.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
        Assert.True(elapsed < TimeSpan.FromSeconds(3), $"took {elapsed.TotalMilliseconds:F0} ms");
        await AssertIdentityRoutesAnswerAsync(stack);

        stack.StartApi();
        using var after = await stack.SendAsync(HttpMethod.Get, location, token);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal(etag, after.Headers.ETag!.Tag);
        Assert.Contains("across a restart", await after.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
    }

    /// <summary>Identity's side of the Gateway does not share the Api's fate: discovery and a new login answer promptly.</summary>
    private static async Task AssertIdentityRoutesAnswerAsync(FaultStack stack)
    {
        // Timed: discovery is cheap, so anything near the route timeout means it queued behind the Api's fault.
        var started = Stopwatch.StartNew();
        using var discovery = await stack.Client.GetAsync("/.well-known/openid-configuration", Cancellation);
        var elapsed = started.Elapsed;
        var login = await stack.ServiceTokenAsync();

        Assert.Equal(HttpStatusCode.OK, discovery.StatusCode);
        Assert.True(elapsed < TimeSpan.FromSeconds(2), $"discovery took {elapsed.TotalMilliseconds:F0} ms");
        Assert.False(string.IsNullOrEmpty(FaultStack.AccessToken(login)));
    }
}
