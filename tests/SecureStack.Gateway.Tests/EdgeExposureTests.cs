using System.Net;
using Microsoft.Extensions.DependencyInjection;
using SecureStack.ServiceDefaults.Security;
using SecureStack.Testing;

namespace SecureStack.Gateway.Tests;

/// <summary>
/// What the edge answers to (issue 14, F9 and F10): only its public host names, and health only on the management
/// port. A Host header the Gateway accepts is forwarded to Identity as <c>X-Forwarded-Host</c>.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class EdgeExposureTests(RedisContainerFixture redis)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GatewayRefusesUnknownHosts()
    {
        await using var stack = await GatewayTestContext.StartAsync(redis.ConnectionString, settings: new Dictionary<string, string?>
        {
            ["AllowedHosts"] = "gateway.example;127.0.0.1",
        });
        using var hostile = new HttpRequestMessage(HttpMethod.Get, "/api/v1/ping");
        hostile.Headers.Host = "evil.example";
        using var expected = new HttpRequestMessage(HttpMethod.Get, "/api/v1/ping");
        expected.Headers.Host = "gateway.example";

        using var refused = await stack.Client.SendAsync(hostile, Cancellation);
        var forwardedBefore = stack.Backend.Requests;
        using var accepted = await stack.Client.SendAsync(expected, Cancellation);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(0, forwardedBefore);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(0, refused.Content.Headers.ContentLength ?? (await refused.Content.ReadAsByteArrayAsync(Cancellation)).Length);
    }

    [Fact]
    public async Task TheDevelopmentGatewayAnswersOnlyToLoopbackHostNames()
    {
        await using var stack = await GatewayTestContext.StartAsync(redis.ConnectionString);
        using var hostile = new HttpRequestMessage(HttpMethod.Get, "/api/v1/ping");
        hostile.Headers.Host = "evil.example";

        using var refused = await stack.Client.SendAsync(hostile, Cancellation);
        using var accepted = await stack.Client.GetAsync("/api/v1/ping", Cancellation);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    [Fact]
    public async Task AnyHostOrNoManagementPortIsRefusedOutsideDevelopment()
    {
        await using var stack = await GatewayTestContext.StartAsync(redis.ConnectionString, settings: new Dictionary<string, string?>
        {
            ["AllowedHosts"] = "*",
        });

        var findings = stack.Gateways[0].Services.GetRequiredService<SecuritySelfCheckRunner>().Findings;

        Assert.Contains(findings, finding => finding.StartsWith("AllowedHosts is '*'", StringComparison.Ordinal) && finding.Contains("set AllowedHosts to the public host names", StringComparison.Ordinal));
        Assert.Contains(findings, finding => finding.StartsWith("Health:Port is not set", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SecurityEventsNameTheClientTheRateLimitsCountNotTheProxyNorAClaimedAddress()
    {
        await using var stack = await GatewayTestContext.StartAsync(redis.ConnectionString, settings: new Dictionary<string, string?>
        {
            ["RateLimiting:TrustedProxies:0"] = "10.0.0.1",
        });
        var resolver = stack.Gateways[0].Services.GetRequiredService<IClientAddressResolver>();

        Assert.Equal("198.51.100.7", resolver.Resolve(Request("10.0.0.1", "198.51.100.7"))?.ToString());
        Assert.Equal("192.0.2.1", resolver.Resolve(Request("192.0.2.1", "198.51.100.7"))?.ToString());
    }

    [Fact]
    public async Task NamedHostsAndAManagementPortAreNotFindings()
    {
        await using var stack = await GatewayTestContext.StartAsync(redis.ConnectionString, settings: new Dictionary<string, string?>
        {
            ["AllowedHosts"] = "gateway.example",
            ["Health:Port"] = "8081",
        });

        var findings = stack.Gateways[0].Services.GetRequiredService<SecuritySelfCheckRunner>().Findings;

        Assert.DoesNotContain(findings, finding => finding.Contains("AllowedHosts", StringComparison.Ordinal) || finding.Contains("Health:Port", StringComparison.Ordinal));
    }

    private static Microsoft.AspNetCore.Http.DefaultHttpContext Request(string peer, string forwardedFor)
    {
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(peer);
        context.Request.Headers["X-Forwarded-For"] = forwardedFor;
        return context;
    }
}
