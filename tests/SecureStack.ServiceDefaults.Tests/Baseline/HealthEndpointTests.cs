using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using SecureStack.Testing;

namespace SecureStack.ServiceDefaults.Tests.Baseline;

/// <summary>
/// Health on a management port (issue 14, F10): the probes reveal the service's state (a Degraded Gateway is
/// running on its fallback limiter) and are not rate limited, so with <c>Health:Port</c> set they answer only on
/// connections to that port, which the ingress does not expose.
/// </summary>
public sealed class HealthEndpointTests
{
    [Theory]
    [InlineData("/health")]
    [InlineData("/alive")]
    public async Task HealthIsNotServedOnThePublicPortWhenAManagementPortIsSet(string path)
    {
        var management = FreePort();
        await using var app = await BaselineApp.StartAsync(Environments.Production, new Dictionary<string, string?>
        {
            ["urls"] = $"https://127.0.0.1:0;http://127.0.0.1:{management}",
            ["Health:Port"] = management.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        using var client = app.CreateClient();
        using var probes = new HttpClient();

        using var onThePublicPort = await client.GetAsync(path, TestContext.Current.CancellationToken);
        using var spoofingTheManagementPort = new HttpRequestMessage(HttpMethod.Get, path);
        spoofingTheManagementPort.Headers.Host = $"127.0.0.1:{management}";
        using var withAHostHeaderNamingIt = await client.SendAsync(spoofingTheManagementPort, TestContext.Current.CancellationToken);
        using var onTheManagementPort = await probes.GetAsync($"http://127.0.0.1:{management}{path}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, onThePublicPort.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, withAHostHeaderNamingIt.StatusCode);
        Assert.Equal(HttpStatusCode.OK, onTheManagementPort.StatusCode);
        Assert.Equal("Healthy", await onTheManagementPort.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        SecurityBaseline.AssertCommonHeaders(onTheManagementPort);
    }

    [Fact]
    public async Task WithoutAManagementPortHealthIsServedOnEveryPort()
    {
        await using var app = await BaselineApp.StartAsync(Environments.Development);
        using var client = app.CreateClient();

        using var health = await client.GetAsync("/health", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
