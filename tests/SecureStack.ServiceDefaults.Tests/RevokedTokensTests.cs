using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SecureStack.ServiceDefaults.Authentication;
using SecureStack.Testing;

namespace SecureStack.ServiceDefaults.Tests;

/// <summary>The shared revocation list on a real Redis: found when written, and a silent Redis costs one budget.</summary>
[Collection(RedisCollection.Name)]
public sealed class RevokedTokensTests(RedisContainerFixture redis)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ARevokedTokenIdIsFoundByEveryHolderOfTheConnectionAndAnotherIsNot()
    {
        using var identity = BuildHost(redis.ConnectionString, new ConcurrentQueue<(EventId, string, string)>());
        using var gateway = BuildHost(redis.ConnectionString, new ConcurrentQueue<(EventId, string, string)>());
        var revoked = Guid.NewGuid().ToString("N");

        await identity.Services.GetRequiredService<RevokedTokens>().RevokeAsync(revoked, DateTimeOffset.UtcNow.AddMinutes(5));

        var lookup = gateway.Services.GetRequiredService<RevokedTokens>();
        Assert.True(await lookup.IsRevokedAsync(revoked, Cancellation));
        Assert.False(await lookup.IsRevokedAsync(Guid.NewGuid().ToString("N"), Cancellation));
    }

    [Fact]
    public async Task WhenRedisIsPausedALookupAcceptsTheTokenWithinItsBudgetAndLogsTheMiss()
    {
        var log = new ConcurrentQueue<(EventId EventId, string Category, string Message)>();
        using var host = BuildHost(redis.ConnectionString, log);
        var lookup = host.Services.GetRequiredService<RevokedTokens>();
        var budget = host.Services.GetRequiredService<IOptions<RevocationOptions>>().Value.LookupBudget;
        var revoked = Guid.NewGuid().ToString("N");
        await lookup.RevokeAsync(revoked, DateTimeOffset.UtcNow.AddMinutes(5));

        await redis.Container.PauseAsync(Cancellation);
        bool answer;
        TimeSpan elapsed;
        try
        {
            var stopwatch = Stopwatch.StartNew();
            answer = await lookup.IsRevokedAsync(revoked, Cancellation);
            elapsed = stopwatch.Elapsed;
        }
        finally
        {
            await redis.Container.UnpauseAsync(Cancellation);
        }

        // Fail open: even a revoked token passes while Redis is silent, and the miss is on record.
        Assert.False(answer);
        Assert.Contains(log, entry => entry.EventId.Id == 4012);
        // The budget plus scheduling on a loaded machine, never the client's multi-second sync timeout.
        Assert.True(elapsed < budget + TimeSpan.FromSeconds(1), $"the lookup took {elapsed.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public void ALookupBudgetOutsideItsRangeStopsStartUp()
    {
        using var host = BuildHost(redis.ConnectionString, new ConcurrentQueue<(EventId, string, string)>(), budget: "00:00:30");

        var failure = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<RevocationOptions>>().Value);

        Assert.Contains(nameof(RevocationOptions.LookupBudget), failure.Message, StringComparison.Ordinal);
    }

    private static IHost BuildHost(string connectionString, ConcurrentQueue<(EventId, string, string)> log, string? budget = null)
    {
        var builder = Host.CreateApplicationBuilder();
        var settings = new Dictionary<string, string?> { [$"ConnectionStrings:{RedisExtensions.ConnectionName}"] = connectionString };
        if (budget is not null)
        {
            settings[$"{RevocationOptions.SectionName}:{nameof(RevocationOptions.LookupBudget)}"] = budget;
        }

        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.AddProvider(new CapturingLoggerProvider(log));
        builder.AddSecureStackRedis();
        return builder.Build();
    }
}
