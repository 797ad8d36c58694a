using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SecureStack.ServiceDefaults.Security;

namespace SecureStack.ServiceDefaults.Tests.Baseline;

public sealed class SelfCheckTests
{
    public static readonly TheoryData<string, string, string> InsecureSettings = new()
    {
        { "Cors:AllowedOrigins:0", "*", "Cors:AllowedOrigins contains '*'" },
        { "Cors:AllowedOrigins:0", "http://app.example.com", "is not HTTPS" },
        { "Health:ExposeDetails", "true", "Health:ExposeDetails" },
        { "ForwardedHeaders:KnownNetworks:0", "0.0.0.0/0", "public address" },
        { "Https:TerminatedByProxy", "true", "Https:TerminatedByProxy" },
    };

    [Theory]
    [MemberData(nameof(InsecureSettings))]
    public async Task AnInsecureSettingStopsStartUpOutsideDevelopment(string key, string value, string message)
    {
        var error = await Assert.ThrowsAsync<InsecureConfigurationException>(() =>
            BaselineApp.StartAsync(Environments.Production, new Dictionary<string, string?> { [key] = value }));

        Assert.Contains(message, error.Message);
        Assert.Contains("Refusing to start in the 'Production' environment", error.Message);
    }

    [Theory]
    [InlineData("0.0.0.0/1", "128.0.0.0/1")]
    [InlineData("8.0.0.0/7")]
    [InlineData("::ffff:0:0/96")]
    [InlineData("2000::/3")]
    public async Task ProxyNetworksCoveringMoreThanASlash8OfPublicSpaceStopStartUpOutsideDevelopment(params string[] networks)
    {
        // Issue 14, F14: only /0 was refused, so two halves of the Internet passed.
        var settings = networks.Select((network, index) => KeyValuePair.Create($"ForwardedHeaders:KnownNetworks:{index}", (string?)network));
        var error = await Assert.ThrowsAsync<InsecureConfigurationException>(() =>
            BaselineApp.StartAsync(Environments.Production, new Dictionary<string, string?>(settings)));

        Assert.Contains("ForwardedHeaders:KnownProxies/KnownNetworks", error.Message);
        Assert.Contains("public address", error.Message);
    }

    [Fact]
    public async Task PrivateProxyNetworksStartOutsideDevelopment()
    {
        await using var app = await BaselineApp.StartAsync(Environments.Production, new Dictionary<string, string?>
        {
            ["ForwardedHeaders:KnownNetworks:0"] = "10.0.0.0/8",
            ["ForwardedHeaders:KnownNetworks:1"] = "fc00::/7",
            ["ForwardedHeaders:KnownProxies:0"] = "203.0.113.7",
        });

        Assert.Empty(app.Services.GetRequiredService<SecuritySelfCheckRunner>().Findings);
    }

    [Fact]
    public async Task NoHttpsEndpointStopsStartUpOutsideDevelopment()
    {
        var error = await Assert.ThrowsAsync<InsecureConfigurationException>(() =>
            BaselineApp.StartAsync(Environments.Production, new Dictionary<string, string?> { ["urls"] = "http://127.0.0.1:0" }));

        Assert.Contains("No HTTPS endpoint", error.Message);
    }

    [Fact]
    public async Task AnHttpsEndpointWithoutACertificateStopsStartUpOutsideDevelopment()
    {
        var error = await Assert.ThrowsAsync<InsecureConfigurationException>(() =>
            BaselineApp.StartAsync(Environments.Production, new Dictionary<string, string?> { ["Kestrel:Certificates:Default:Path"] = null }));

        Assert.Contains("Kestrel:Certificates:Default:Path", error.Message);
    }

    [Fact]
    public async Task EveryFindingIsReportedAtOnce()
    {
        var error = await Assert.ThrowsAsync<InsecureConfigurationException>(() =>
            BaselineApp.StartAsync(Environments.Production, new Dictionary<string, string?>
            {
                ["Cors:AllowedOrigins:0"] = "*",
                ["Health:ExposeDetails"] = "true",
            }));

        Assert.Equal(2, error.Findings.Count);
    }

    [Fact]
    public async Task TheSameSettingOnlyWarnsInDevelopmentAndDegradesHealth()
    {
        await using var app = await BaselineApp.StartAsync(Environments.Development, new Dictionary<string, string?>
        {
            ["Cors:AllowedOrigins:0"] = "*",
        });
        using var client = app.CreateClient();

        using var health = await client.GetAsync("/health", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("Degraded", await health.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Contains(app.Logs.GetSnapshot(), record => record.Id == SecurityEvents.Ids.InsecureConfiguration);
    }

    [Fact]
    public async Task ASecureConfigurationStartsAndIsHealthy()
    {
        await using var app = await BaselineApp.StartAsync(Environments.Production);
        using var client = app.CreateClient();

        using var health = await client.GetAsync("/health", TestContext.Current.CancellationToken);

        Assert.Equal("Healthy", await health.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }
}
