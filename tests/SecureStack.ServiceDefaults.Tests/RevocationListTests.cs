using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SecureStack.ServiceDefaults.Authentication;
using SecureStack.ServiceDefaults.Security;
using SecureStack.Testing;
using StackExchange.Redis;

namespace SecureStack.ServiceDefaults.Tests;

/// <summary>The replicated deny-list on a real Redis: propagation to every instance, resync after a lost feed, bounds, expiry.</summary>
[Collection(RedisCollection.Name)]
public sealed class RevocationListTests(RedisContainerFixture redis)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ARevocationPublishedIsSeenByTwoInstancesAndHeldWithoutRedis()
    {
        using var gateway = await StartAsync();
        using var api = await StartAsync();
        var entry = NewEntry(RevocationKind.Token);

        Assert.True(await gateway.Services.GetRequiredService<RevocationStore>().AddAsync(entry));

        await EventuallyRevokedAsync(gateway, entry);
        await EventuallyRevokedAsync(api, entry);
        await redis.Container.PauseAsync(Cancellation);
        try
        {
            // A memory lookup: a silent Redis cannot make a known revocation pass.
            Assert.True(api.Services.GetRequiredService<RevocationList>().IsRevoked(entry.Id, null));
        }
        finally
        {
            await redis.Container.UnpauseAsync(Cancellation);
        }
    }

    [Fact]
    public async Task ARevocationPublishedWhileTheFeedWasCutIsEnforcedAfterTheResync()
    {
        using var host = await StartAsync();
        var entry = NewEntry(RevocationKind.Authorization);
        var options = ConfigurationOptions.Parse(redis.ConnectionString);
        options.AllowAdmin = true;
        await using var admin = await ConnectionMultiplexer.ConnectAsync(options);

        // Cut every subscriber off, then publish at once: the message is lost for the cut-off instance.
        await admin.GetServer(admin.GetEndPoints()[0]).ExecuteAsync("CLIENT", "KILL", "TYPE", "pubsub");
        await admin.GetServer(admin.GetEndPoints()[0]).ExecuteAsync("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
        Assert.True(await new RevocationStore(admin, Microsoft.Extensions.Options.Options.Create(new RevocationOptions()), TimeProvider.System).AddAsync(entry));

        await EventuallyRevokedAsync(host, entry);
    }

    [Fact]
    public void TheListNeverHoldsMoreThanItsLimitAndDropsNoLiveEntry()
    {
        var log = new ConcurrentQueue<(EventId, string, string)>();
        using var loggers = LoggerFactory.Create(logging => logging.AddProvider(new CapturingLoggerProvider(log)));
        using var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var events = new SecurityEvents(loggers, meters.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        using var list = new RevocationList(true, Microsoft.Extensions.Options.Options.Create(new RevocationOptions { MaxEntries = 1_000 }), TimeProvider.System, events);
        var entries = Enumerable.Range(0, 1_100).Select(_ => NewEntry(RevocationKind.Token)).ToList();

        var added = entries.Count(list.Add);

        Assert.Equal(1_000, added);
        Assert.True(list.Count <= 1_000);
        Assert.All(entries.Take(1_000), entry => Assert.True(list.IsRevoked(entry.Id, null)));
        Assert.Contains(log, entry => entry.Item1.Id == 4023);
    }

    [Fact]
    public void AnEntryStopsCountingOnceItsTokenWouldHaveExpired()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var loggers = LoggerFactory.Create(_ => { });
        using var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var events = new SecurityEvents(loggers, meters.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        using var list = new RevocationList(true, Microsoft.Extensions.Options.Options.Create(new RevocationOptions()), clock, events);
        var entry = new RevocationEntry(RevocationKind.Token, Guid.NewGuid().ToString(), clock.GetUtcNow().AddMinutes(1));

        list.Add(entry);
        var before = list.IsRevoked(entry.Id, null);
        clock.Advance(TimeSpan.FromMinutes(2));

        Assert.True(before);
        Assert.False(list.IsRevoked(entry.Id, null));
    }

    private static RevocationEntry NewEntry(RevocationKind kind) =>
        new(kind, Guid.NewGuid().ToString(), DateTimeOffset.UtcNow.AddMinutes(10));

    private static async Task EventuallyRevokedAsync(IHost host, RevocationEntry entry)
    {
        var list = host.Services.GetRequiredService<RevocationList>();
        var stopwatch = Stopwatch.StartNew();
        while (!(entry.Kind == RevocationKind.Token ? list.IsRevoked(entry.Id, null) : list.IsRevoked(null, entry.Id)))
        {
            Assert.True(stopwatch.Elapsed < Bound, $"{entry.Member} not enforced within {Bound}");
            await Task.Delay(50, Cancellation);
        }
    }

    private async Task<IHost> StartAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"ConnectionStrings:{RedisExtensions.ConnectionName}"] = redis.ConnectionString,
            // The periodic backstop far away: what is tested is the reconnect resync.
            ["Revocation:ResyncInterval"] = "00:05:00",
        });
        builder.AddSecureStackRevocationList();
        var host = builder.Build();
        await host.StartAsync(Cancellation);
        Assert.True(host.Services.GetRequiredService<RevocationList>().HasSynchronized, "the first read happens during start-up");
        return host;
    }
}
