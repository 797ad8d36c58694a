using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using SecureStack.Testing;

namespace SecureStack.Gateway.Tests;

[Collection(RedisCollection.Name)]
public sealed class ForwardingTests(RedisContainerFixture redis)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnUnknownPathIsA404ProblemAndIsNotForwarded()
    {
        await using var stack = await GatewayTestContext.StartAsync(redis.ConnectionString);

        var response = await stack.Client.GetAsync("/internal/admin", Cancellation);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.True(response.IsProblemJson());
        Assert.Equal(0, stack.Backend.Requests);
    }

    [Fact]
    public async Task AnUnreachableBackendIsA503ProblemThatNamesNoBackendQuickly()
    {
        // Nothing listens on port 1: the connection is refused.
        await using var stack = await GatewayTestContext.StartAsync(redis.ConnectionString, backendOverride: new Uri("http://127.0.0.1:1"));

        var started = Stopwatch.StartNew();
        var response = await stack.Client.SendAsync(ResponseAssertions.Get("/api/v1/notes", stack.User("caller")), Cancellation);
        var elapsed = started.Elapsed;

        // Refused: nothing listens, so the service is unavailable (retry later), not broken.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.True(response.IsProblemJson());
        var body = await response.Content.ReadAsStringAsync(Cancellation);
        Assert.DoesNotContain("127.0.0.1", body, StringComparison.Ordinal);
        Assert.DoesNotContain("refused", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
        Assert.True(elapsed < TimeSpan.FromSeconds(5), $"took {elapsed.TotalMilliseconds:F0} ms");
    }

    [Theory]
    [InlineData(500, HttpStatusCode.BadGateway)]
    [InlineData(503, HttpStatusCode.ServiceUnavailable)]
    [InlineData(504, HttpStatusCode.GatewayTimeout)]
    public async Task ABackendServerErrorIsReplacedByTheGatewaysOwnProblem(int backendStatus, HttpStatusCode expected)
    {
        await using var stack = await GatewayTestContext.StartAsync(redis.ConnectionString);

        var response = await stack.Client.SendAsync(ResponseAssertions.Get($"/api/broken/{backendStatus}", stack.User("caller")), Cancellation);

        Assert.Equal(expected, response.StatusCode);
        Assert.True(response.IsProblemJson());
        var body = await response.Content.ReadAsStringAsync(Cancellation);
        Assert.DoesNotContain(BackendServer.BrokenBody, body, StringComparison.Ordinal);
        Assert.Null(response.Header("X-Powered-By"));
        Assert.Equal(backendStatus == 503 ? "7" : null, response.Header("Retry-After"));
    }

    [Fact]
    public async Task ABackendSlowerThanTheRouteTimeoutIsA504Problem()
    {
        await using var stack = await GatewayTestContext.StartAsync(redis.ConnectionString);

        var started = Stopwatch.StartNew();
        var response = await stack.Client.SendAsync(ResponseAssertions.Get("/api/slow", stack.User("caller")), Cancellation);
        var elapsed = started.Elapsed;

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.True(response.IsProblemJson());
        // A body, although the timeout cancelled the request's own token.
        Assert.Contains("\"traceId\"", await response.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
        // The route's TimeoutPolicy (3 s in the tests), not the backend's 10 s.
        Assert.InRange(elapsed, TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(6));
    }

    [Fact]
    public async Task ABodyOverTheRouteLimitIsRefusedBeforeForwarding()
    {
        await using var stack = await GatewayTestContext.StartAsync(redis.ConnectionString);

        var (name, value) = stack.User("caller");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/notes") { Content = new ByteArrayContent(new byte[(1024 * 1024) + 1]) };
        request.Headers.Add(name, value);
        var response = await stack.Client.SendAsync(request, Cancellation);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.True(response.IsProblemJson());
        Assert.Equal(0, stack.Backend.Requests);
    }

    [Fact]
    public async Task AChunkedBodyOverTheRouteLimitIsA413ProblemNotA502()
    {
        await using var stack = await GatewayTestContext.StartAsync(redis.ConnectionString);

        // No Content-Length: the Gateway can only cut the body off at the limit while forwarding it.
        var (name, value) = stack.User("caller");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/notes")
        {
            Content = new StreamContent(new MemoryStream(new byte[(1024 * 1024) + 1])),
        };
        request.Headers.TransferEncodingChunked = true;
        request.Headers.Add(name, value);
        using var response = await stack.Client.SendAsync(request, Cancellation);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.True(response.IsProblemJson());
    }

    [Fact]
    public async Task ClientSentForwardingInternalAndHopByHopHeadersDoNotReachTheBackend()
    {
        await using var stack = await GatewayTestContext.StartAsync(redis.ConnectionString);

        var response = await stack.Client.SendAsync(ResponseAssertions.Get("/api/v1/notes",
            ("X-Forwarded-For", "203.0.113.9"),
            ("X-Forwarded-Host", "evil.example"),
            ("X-Forwarded-Proto", "https"),
            ("Forwarded", "for=203.0.113.9;host=evil.example"),
            ("X-Real-IP", "203.0.113.9"),
            ("X-SecureStack-User", "admin"),
            ("Proxy-Authorization", "Basic c2VjcmV0OnNlY3JldA=="),
            ("Keep-Alive", "timeout=600"),
            stack.User("caller")), Cancellation);

        var echo = await response.Content.ReadFromJsonAsync<Echo>(Cancellation);
        Assert.NotNull(echo);
        Assert.Equal("127.0.0.1", echo.Headers["X-Forwarded-For"]);
        Assert.Equal(stack.Client.BaseAddress!.Authority, echo.Headers["X-Forwarded-Host"]);
        Assert.Equal("http", echo.Headers["X-Forwarded-Proto"]);
        Assert.False(echo.Headers.ContainsKey("Forwarded"));
        Assert.False(echo.Headers.ContainsKey("X-Real-IP"));
        Assert.False(echo.Headers.ContainsKey("X-SecureStack-User"));
        // Hop-by-hop: meant for the Gateway, not for the service behind it.
        Assert.False(echo.Headers.ContainsKey("Proxy-Authorization"));
        Assert.False(echo.Headers.ContainsKey("Keep-Alive"));
    }

    [Fact]
    public async Task BackendBannersDoNotReachTheClient()
    {
        await using var stack = await GatewayTestContext.StartAsync(redis.ConnectionString);

        var response = await stack.Client.SendAsync(ResponseAssertions.Get("/api/v1/notes", stack.User("caller")), Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(response.Header("X-Powered-By"));
        Assert.Null(response.Header("Server"));
    }
}
