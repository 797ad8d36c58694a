using System.Net.Http.Json;
using Microsoft.Extensions.Hosting;

namespace SecureStack.ServiceDefaults.Tests.Baseline;

public sealed class ForwardedHeadersTests
{
    [Fact]
    public async Task ForwardedHeadersFromAnUntrustedPeerAreIgnored()
    {
        // Loopback is the peer here, and the framework would trust loopback by default.
        await using var app = await BaselineApp.StartAsync(Environments.Production);
        using var client = app.CreateClient();

        var peer = await GetPeerAsync(client, forwardedProto: "http");

        Assert.Equal("127.0.0.1", peer.RemoteIp);
        Assert.Equal("https", peer.Scheme);
    }

    [Fact]
    public async Task ForwardedHeadersFromTheConfiguredProxyAreHonoured()
    {
        await using var app = await BaselineApp.StartAsync(Environments.Production, new Dictionary<string, string?>
        {
            ["ForwardedHeaders:KnownProxies:0"] = "127.0.0.1",
        });
        using var client = app.CreateClient();

        var peer = await GetPeerAsync(client, forwardedProto: "https");

        Assert.Equal("203.0.113.9", peer.RemoteIp);
    }

    [Fact]
    public async Task OnlyOneHopIsUnwoundFromATrustedProxy()
    {
        await using var app = await BaselineApp.StartAsync(Environments.Production, new Dictionary<string, string?>
        {
            ["ForwardedHeaders:KnownProxies:0"] = "127.0.0.1",
        });
        using var client = app.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Get, "/peer");
        // A client-chosen address in front of the one the proxy appended must not be believed.
        request.Headers.Add("X-Forwarded-For", "198.51.100.1, 203.0.113.9");

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var peer = await response.Content.ReadFromJsonAsync<Peer>(TestContext.Current.CancellationToken);

        Assert.Equal("203.0.113.9", peer?.RemoteIp);
    }

    private static async Task<Peer> GetPeerAsync(HttpClient client, string forwardedProto)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/peer");
        request.Headers.Add("X-Forwarded-For", "203.0.113.9");
        request.Headers.Add("X-Forwarded-Proto", forwardedProto);
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        return await response.Content.ReadFromJsonAsync<Peer>(TestContext.Current.CancellationToken)
            ?? throw new InvalidOperationException("no body");
    }
}
