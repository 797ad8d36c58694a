using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using SecureStack.Testing;
using StackExchange.Redis;

namespace SecureStack.ServiceDefaults.Tests;

[Collection(RedisCollection.Name)]
public sealed class RedisClientRegistrationTests(RedisContainerFixture redis)
{
    [Fact]
    public async Task ServicesReachARealRedisThroughTheSharedRegistration()
    {
        using var host = BuildHost(redis.ConnectionString);
        await host.StartAsync(TestContext.Current.CancellationToken);

        var database = host.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();
        var key = $"test:{Guid.NewGuid():N}";
        await database.StringSetAsync(key, "written through the service registration", TimeSpan.FromMinutes(1));

        // Read back on a separate connection: the value really is in the container, not in a client cache.
        await using var direct = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        Assert.Equal("written through the service registration", (string?)await direct.GetDatabase().StringGetAsync(key));

        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task ReadinessIncludesRedisAndIsHealthyWhenRedisAnswers()
    {
        using var host = BuildHost(redis.ConnectionString);

        var report = await host.Services.GetRequiredService<HealthCheckService>()
            .CheckHealthAsync(TestContext.Current.CancellationToken);

        Assert.Contains(report.Entries, entry => entry.Key.Contains("redis", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(HealthStatus.Healthy, report.Status);
    }

    [Fact]
    public async Task ReadinessIsUnhealthyWhenRedisCannotBeReached()
    {
        // A port nobody listens on: the check must report the outage rather than pass.
        using var host = BuildHost("127.0.0.1:1,abortConnect=false,connectTimeout=500");

        var report = await host.Services.GetRequiredService<HealthCheckService>()
            .CheckHealthAsync(TestContext.Current.CancellationToken);

        Assert.NotEqual(HealthStatus.Healthy, report.Status);
    }

    private static IHost BuildHost(string connectionString)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"ConnectionStrings:{RedisExtensions.ConnectionName}"] = connectionString,
        });
        builder.AddDefaultHealthChecks();
        builder.AddSecureStackRedis();
        return builder.Build();
    }
}
