using System.Net;

namespace SecureStack.AppHost.Tests;

/// <summary>What a client sees at the edge, over the Gateway's HTTPS endpoint.</summary>
[Collection(AppHostCollection.Name)]
public sealed class GatewayEdgeTests(AppHostFixture fixture)
{
    [Fact]
    public async Task TheGatewayServesHttpsWithTheDevelopmentCertificate()
    {
        using var client = fixture.CreateGatewayClient();

        using var response = await client.GetAsync("/api/v1/ping", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("https", client.BaseAddress?.Scheme);
    }

    [Theory]
    [InlineData("/api/v1/ping", HttpStatusCode.OK)]
    [InlineData("/no-such-route", HttpStatusCode.NotFound)]
    public async Task ProxiedAndLocalResponsesCarryTheSecurityHeadersOnce(string path, HttpStatusCode expected)
    {
        using var client = fixture.CreateGatewayClient();

        using var response = await client.GetAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(expected, response.StatusCode);
        foreach (var header in new[] { "Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "Cache-Control" })
        {
            Assert.True(response.Headers.TryGetValues(header, out var values), $"{header} missing");
            Assert.Single(values);
        }

        Assert.False(response.Headers.Contains("Server"));
    }

    [Fact]
    public async Task TheBackendsHealthEndpointsAreNotReachableThroughTheGateway()
    {
        using var client = fixture.CreateGatewayClient();
        var token = await fixture.GetServiceTokenAsync(client, "api.read");

        using var anonymous = await client.GetAsync("/api/health", TestContext.Current.CancellationToken);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/health");
        request.Headers.Authorization = new("Bearer", token);
        using var authenticated = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        // Forwarded as /api/health, which the Api does not have: its probes stay at /health, unrouted.
        Assert.Equal(HttpStatusCode.NotFound, authenticated.StatusCode);
    }
}
