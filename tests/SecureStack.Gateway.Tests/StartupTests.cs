using Microsoft.Extensions.Hosting;
using SecureStack.Testing;

namespace SecureStack.Gateway.Tests;

/// <summary>The Gateway refuses to start without what it needs to enforce its limits and revocations, saying what to set.</summary>
public sealed class StartupTests
{
    [Fact]
    public async Task MissingRedisStopsStartUpNamingTheSetting()
    {
        // The Gateway validates tokens at the edge: without the deny-list's Redis it would accept revoked ones (F5).
        using var issuer = new TestIssuer();
        await using var gateway = new GatewayFactory(redisConnectionString: "", new Uri("http://127.0.0.1:1"), GatewayFactory.NewKeyPrefix(), issuer)
        {
            EnvironmentName = Environments.Production,
        };

        var exception = Assert.ThrowsAny<Exception>(() => gateway.StartServer());
        var failure = string.Join(Environment.NewLine, [exception.ToString(), .. gateway.Logs.Select(entry => entry.Message)]);

        Assert.True(failure.Contains("ConnectionStrings:redis is not set", StringComparison.Ordinal),
            $"Start-up failed without naming the Redis setting:{Environment.NewLine}{failure}");
    }
}
