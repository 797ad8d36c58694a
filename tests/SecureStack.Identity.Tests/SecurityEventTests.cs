using System.Diagnostics;
using SecureStack.Identity.Tests.Infrastructure;

namespace SecureStack.Identity.Tests;

public sealed class SecurityEventTests(IdentityServerFactory factory)
{
    [Fact]
    public async Task TokenIssuedEventNamesClientSubjectAndScopesButNeverTheToken()
    {
        var (status, tokens) = await OAuth.TokenAsync(factory.CreateClient(), PasswordGrantTests.DemoRequest(IdentityServerFactory.DemoClientId));
        var accessToken = tokens.String("access_token");
        var refreshToken = tokens.String("refresh_token");

        Assert.Equal(System.Net.HttpStatusCode.OK, status);
        Assert.Contains(factory.Logs, entry => entry.EventId.Id == 4006
            && entry.Message.Contains(IdentityServerFactory.DemoClientId, StringComparison.Ordinal)
            && entry.Message.Contains("api.read", StringComparison.Ordinal));
        Assert.DoesNotContain(factory.Logs, entry => entry.Message.Contains(accessToken, StringComparison.Ordinal)
            || entry.Message.Contains(refreshToken, StringComparison.Ordinal)
            || entry.Message.Contains(IdentityServerFactory.DemoPassword, StringComparison.Ordinal));
    }

    [Fact]
    public async Task MeasuresTokenEndpointLatency()
    {
        var client = factory.CreateClient();
        await OAuth.ClientCredentialsAsync(client);
        var timings = new List<double>();

        for (var request = 0; request < 20; request++)
        {
            var stopwatch = Stopwatch.StartNew();
            var tokens = await OAuth.ClientCredentialsAsync(client);
            timings.Add(stopwatch.Elapsed.TotalMilliseconds);
            Assert.False(string.IsNullOrEmpty(tokens.String("access_token")));
        }

        // A figure for the report, not a threshold (benchmarks belong in bench/).
        timings.Sort();
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"client_credentials over TestServer, 20 requests: median {timings[10]:F1} ms, max {timings[^1]:F1} ms");
    }
}
