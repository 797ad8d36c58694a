using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SecureStack.ServiceDefaults.Security;
using StackExchange.Redis;

namespace SecureStack.ServiceDefaults.Authentication;

/// <summary>
/// Keeps <see cref="RevocationList"/> in step with Redis: subscribes to the channel first, then reads the whole
/// list (so nothing published in between is missed), and reads it again on every reconnect (revocations made
/// while this service was cut off are not lost) and every <see cref="RevocationOptions.ResyncInterval"/> (pub/sub
/// delivers at most once). While Redis is out of reach the last known list stays enforced: new revocations cannot
/// be made then either (Identity answers 503), and refusing every token would let whoever can disturb Redis log
/// every user out. Entries Redis lost (a restart) are written back from memory.
/// </summary>
public sealed class RevocationListSynchronizer(
    RevocationList list,
    RevocationStore store,
    IConnectionMultiplexer redis,
    IOptions<RevocationOptions> options,
    SecurityEvents securityEvents,
    TimeProvider time) : BackgroundService
{
    /// <summary>How long start-up waits for the first read, so a service that can reach Redis starts ready.</summary>
    private static readonly TimeSpan FirstSyncWait = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(500);

    private readonly TaskCompletionSource _firstSync = NewSignal();
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(5);

    private TaskCompletionSource _resyncNow = NewSignal();

    /// <summary>
    /// Waits (at most <see cref="FirstSyncWait"/>) for the first read before the server listens; without Redis the
    /// service starts anyway, not ready, and answers 503 to authenticated requests until the read succeeds.
    /// </summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await base.StartAsync(cancellationToken);
        await Task.WhenAny(_firstSync.Task, Task.Delay(FirstSyncWait, time, cancellationToken));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        redis.ConnectionFailed += OnConnectionFailed;
        redis.ConnectionRestored += OnConnectionRestored;
        try
        {
            var retry = FirstRetry;
            ChannelMessageQueue? feed = null;
            while (!stoppingToken.IsCancellationRequested)
            {
                TimeSpan wait;
                try
                {
                    feed ??= await SubscribeAsync();
                    // Until the subscription is back (the client resubscribes after a reconnect), look again soon.
                    wait = await ResyncAsync() ? options.Value.ResyncInterval : FirstRetry;
                    retry = FirstRetry;
                }
                catch (Exception exception) when (exception is RedisException or TimeoutException)
                {
                    if (list.MarkFeedLost())
                    {
                        securityEvents.RevocationFeedLost(exception.GetType().Name, list.Count);
                    }

                    wait = retry;
                    retry = retry * 2 < LongestRetry ? retry * 2 : LongestRetry;
                }

                await WaitAsync(wait, stoppingToken);
            }
        }
        finally
        {
            redis.ConnectionFailed -= OnConnectionFailed;
            redis.ConnectionRestored -= OnConnectionRestored;
        }
    }

    private async Task<ChannelMessageQueue> SubscribeAsync()
    {
        var feed = await redis.GetSubscriber().SubscribeAsync(RevocationStore.Channel);
        feed.OnMessage(message =>
        {
            if (RevocationEntry.TryParseMessage(message.Message, out var entry))
            {
                list.Add(entry);
            }
        });
        return feed;
    }

    private async Task<bool> ResyncAsync()
    {
        var live = await store.ReadLiveAsync();
        foreach (var entry in live)
        {
            list.Add(entry);
        }

        var inRedis = live.Select(entry => (entry.Kind, entry.Id)).ToHashSet();
        await store.RestoreAsync([.. list.Snapshot().Where(entry => !inRedis.Contains((entry.Kind, entry.Id)))]);

        var wasLost = list.FeedLostSince is not null;
        var feedUp = redis.GetSubscriber().IsConnected(RevocationStore.Channel);
        list.MarkSynchronized(feedUp);
        _firstSync.TrySetResult();
        if (wasLost && feedUp)
        {
            securityEvents.RevocationFeedRestored(list.Count);
        }

        return feedUp;
    }

    private async Task WaitAsync(TimeSpan wait, CancellationToken stoppingToken)
    {
        using var delay = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        await Task.WhenAny(Volatile.Read(ref _resyncNow).Task, Task.Delay(wait, time, delay.Token));
        await delay.CancelAsync();
        Interlocked.Exchange(ref _resyncNow, NewSignal());
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs args)
    {
        if (list.MarkFeedLost())
        {
            securityEvents.RevocationFeedLost(args.FailureType.ToString(), list.Count);
        }
    }

    // Reconnected: read the whole list now rather than at the next interval.
    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs args) =>
        Volatile.Read(ref _resyncNow).TrySetResult();
}

/// <summary>
/// Readiness: Unhealthy until the list has been read from Redis once (fail closed: a service that has never seen
/// the list cannot tell a revoked token, and every authenticated request answers 503 meanwhile); Degraded while
/// the feed is down (the last known list is enforced, new revocations are not seen); Degraded too when no Redis
/// is configured at all (Development only: the self-check stops start-up elsewhere).
/// </summary>
public sealed class RevocationListHealthCheck(RevocationList list) : IHealthCheck
{
    public const string Name = "revocation-list";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(
            !list.IsConfigured ? HealthCheckResult.Degraded("No Redis configured: revoked access tokens are not refused.")
            : !list.HasSynchronized ? HealthCheckResult.Unhealthy("The revocation list has not been read from Redis yet.")
            : list.FeedLostSince is { } since ? HealthCheckResult.Degraded(
                $"The revocation feed from Redis is down since {since:O}: the {list.Count} revocations known then are enforced, newer ones are not seen.")
            : HealthCheckResult.Healthy($"{list.Count} revocations enforced."));
}
