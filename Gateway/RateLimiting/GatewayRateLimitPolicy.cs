using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.RateLimiting;
using RedisRateLimiting;
using StackExchange.Redis;

namespace SecureStack.Gateway.RateLimiting;

/// <summary>One configured policy: its Redis limiter (RedisRateLimiting, shared by all replicas) and its fallback.</summary>
internal sealed class GatewayRateLimitPolicy : IDisposable
{
    // Partitions whose Redis key and limiter are kept between requests. A client's partition comes back on every
    // request, and building them (a SHA-256, three strings, the limiter) each time was most of the decision's
    // allocations. Bounded, because partitions are client-chosen (addresses, user names): past the bound the cache
    // starts over rather than grow.
    private const int MaxCachedPartitions = 10_000;

    private readonly ConcurrentDictionary<RequestPartition, (string Key, RateLimiter Limiter)> _fixedWindowPartitions = new();
    private readonly RateLimitPolicyOptions _options;
    private readonly string _keyPrefix;
    private readonly RedisDecisionGuard _guard;
    private readonly RedisFixedWindowRateLimiterOptions _fixedWindow;
    private readonly RedisConcurrencyRateLimiterOptions _concurrency;
    private readonly PartitionedRateLimiter<string> _local;

    public GatewayRateLimitPolicy(
        string name,
        RateLimitPolicyOptions options,
        RateLimitingOptions settings,
        IConnectionMultiplexer redis,
        RedisDecisionGuard guard)
    {
        Name = name;
        _options = options;
        _guard = guard;
        _keyPrefix = $"{settings.KeyPrefix}:{name}";
        _fixedWindow = new RedisFixedWindowRateLimiterOptions
        {
            PermitLimit = options.PermitLimit,
            Window = Window,
            ConnectionMultiplexerFactory = () => redis,
        };
        _concurrency = new RedisConcurrencyRateLimiterOptions
        {
            PermitLimit = options.PermitLimit,
            QueueLimit = 0,
            ConnectionMultiplexerFactory = () => redis,
        };

        // Each replica alone gets its share, so N replicas in fallback together stay near the shared limit.
        LocalPermitLimit = Math.Max(1, options.PermitLimit / settings.ExpectedReplicas);
        _local = PartitionedRateLimiter.Create<string, string>(key => options.Algorithm == RateLimitAlgorithm.Concurrency
            ? RateLimitPartition.GetConcurrencyLimiter(key, _ => new ConcurrencyLimiterOptions
            {
                PermitLimit = LocalPermitLimit,
                QueueLimit = 0,
            })
            : RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = LocalPermitLimit,
                Window = Window,
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
    }

    public string Name { get; }

    public RateLimitPolicyOptions Options => _options;

    public int LocalPermitLimit { get; }

    public TimeSpan Window => TimeSpan.FromSeconds(_options.WindowSeconds);

    public bool IsConcurrency => _options.Algorithm == RateLimitAlgorithm.Concurrency;

    public async ValueTask<RateLimitDecision> DecideAsync(RequestPartition partition, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var (key, limiter) = RedisLimiterFor(partition);

        var decision = await _guard.TryExecuteAsync(
            cancellation => AcquireFromRedisAsync(limiter, partition, cancellation),
            cancellationToken);

        decision ??= Fallback(key, partition);
        decision.Elapsed = Stopwatch.GetElapsedTime(started);
        return decision;
    }

    /// <summary>A decision on a partition of its own, straight to Redis, so no real client's count is touched.</summary>
    public ValueTask<RateLimitDecision> WarmUpAsync(CancellationToken cancellationToken) =>
        AcquireFromRedisAsync(NewRedisLimiter($"{_keyPrefix}:warmup"), new RequestPartition(RequestPartition.Global, "warmup"), cancellationToken);

    private (string Key, RateLimiter Limiter) RedisLimiterFor(RequestPartition partition)
    {
        // A Redis concurrency limiter keeps per-instance state (its queue): one per request, as the library expects.
        if (IsConcurrency)
        {
            var key = KeyFor(partition);
            return (key, NewRedisLimiter(key));
        }

        if (_fixedWindowPartitions.TryGetValue(partition, out var cached))
        {
            return cached;
        }

        if (_fixedWindowPartitions.Count >= MaxCachedPartitions)
        {
            _fixedWindowPartitions.Clear();
        }

        var fixedWindowKey = KeyFor(partition);
        return _fixedWindowPartitions.GetOrAdd(partition, (fixedWindowKey, NewRedisLimiter(fixedWindowKey)));
    }

    private string KeyFor(RequestPartition partition) => $"{_keyPrefix}:{partition.Kind}:{partition.Hash()}";

    private RateLimiter NewRedisLimiter(string key) => IsConcurrency
        ? new RedisConcurrencyRateLimiter<string>(key, _concurrency)
        : new RedisFixedWindowRateLimiter<string>(key, _fixedWindow);

    private async ValueTask<RateLimitDecision> AcquireFromRedisAsync(RateLimiter limiter, RequestPartition partition, CancellationToken cancellationToken)
    {
        // RedisRateLimiting does not pass the token on to Redis, so the budget is enforced around the call;
        // a lease that arrives after the budget is released rather than leaked (it would hold a concurrency slot).
        var pending = limiter.AcquireAsync(1, CancellationToken.None).AsTask();
        RateLimitLease lease;
        try
        {
            lease = await pending.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            _ = pending.ContinueWith(
                static task => ReleaseInBackground(task.Result),
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnRanToCompletion,
                TaskScheduler.Default);
            throw;
        }

        var decision = new RateLimitDecision(this, partition, lease.IsAcquired, DecisionSource.Redis)
        {
            Lease = lease,
            ReleaseInBackground = IsConcurrency,
        };

        if (lease.TryGetMetadata(RateLimitMetadataName.Remaining.Name, out var remaining) && remaining is not null)
        {
            decision.Remaining = Math.Max(0, Convert.ToInt64(remaining, System.Globalization.CultureInfo.InvariantCulture));
        }

        if (lease.TryGetMetadata(RateLimitMetadataName.RetryAfter.Name, out var retryAfter) && retryAfter is not null)
        {
            decision.ResetSeconds = Math.Max(0, Convert.ToInt32(retryAfter, System.Globalization.CultureInfo.InvariantCulture));
        }

        return decision;
    }

    private RateLimitDecision Fallback(string key, RequestPartition partition)
    {
        switch (_options.Fallback)
        {
            case RateLimitFallback.Open:
                return new RateLimitDecision(this, partition, admitted: true, DecisionSource.Open);
            case RateLimitFallback.Closed:
                return new RateLimitDecision(this, partition, admitted: false, DecisionSource.Closed)
                {
                    ResetSeconds = _guard.SecondsUntilRetry(),
                };
        }

        var lease = _local.AttemptAcquire(key);
        var decision = new RateLimitDecision(this, partition, lease.IsAcquired, DecisionSource.Local) { Lease = lease };
        if (!IsConcurrency)
        {
            decision.Remaining = _local.GetStatistics(key)?.CurrentAvailablePermits ?? 0;
            decision.ResetSeconds = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
                ? (int)Math.Ceiling(retryAfter.TotalSeconds)
                : _options.WindowSeconds;
        }

        return decision;
    }

    internal static void ReleaseInBackground(RateLimitLease lease) =>
        // Releasing a Redis concurrency lease is a synchronous Redis call: never on the request's thread, and a
        // failure only means the slot expires on its own (the library's 60 s TTL).
        _ = Task.Run(() =>
        {
            try
            {
                lease.Dispose();
            }
            catch (RedisException)
            {
            }
        });

    public void Dispose() => _local.Dispose();
}

/// <summary>The outcome of one policy for one request, with what the headers need.</summary>
internal sealed class RateLimitDecision(GatewayRateLimitPolicy policy, RequestPartition partition, bool admitted, DecisionSource source)
{
    public GatewayRateLimitPolicy Policy { get; } = policy;

    public string PartitionKind { get; } = partition.Kind;

    public bool Admitted { get; } = admitted;

    public DecisionSource Source { get; } = source;

    public long? Remaining { get; set; }

    public int? ResetSeconds { get; set; }

    public RateLimitLease? Lease { get; init; }

    public bool ReleaseInBackground { get; init; }

    public TimeSpan Elapsed { get; set; }

    public void Release()
    {
        if (Lease is null)
        {
            return;
        }

        if (ReleaseInBackground)
        {
            GatewayRateLimitPolicy.ReleaseInBackground(Lease);
        }
        else
        {
            Lease.Dispose();
        }
    }
}
