using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;

namespace SecureStack.Gateway.RateLimiting;

/// <summary>
/// Bounds every Redis rate-limit decision: a time budget per call and a circuit breaker across calls, so a slow
/// or dead Redis costs a request at most the budget (and nothing once the circuit is open) instead of the
/// client's multi-second timeouts or a 500. Entering and leaving the fallback is logged once each, counted,
/// and reported as a Degraded health check; the breaker's half-open probe brings Redis back by itself.
/// </summary>
internal sealed partial class RedisDecisionGuard : IHealthCheck
{
    public const string HealthCheckName = "rate-limiting-redis";

    private readonly ResiliencePipeline _pipeline;
    private readonly RateLimitingMetrics _metrics;
    private readonly ILogger<RedisDecisionGuard> _logger;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _breakDuration;
    private int _degraded;
    private long _openedAtTimestamp;

    public RedisDecisionGuard(
        IOptions<RateLimitingOptions> options,
        RateLimitingMetrics metrics,
        TimeProvider timeProvider,
        ILogger<RedisDecisionGuard> logger)
    {
        var settings = options.Value;
        _metrics = metrics;
        _logger = logger;
        _timeProvider = timeProvider;
        _breakDuration = TimeSpan.FromSeconds(settings.BreakerBreakSeconds);

        _pipeline = new ResiliencePipelineBuilder { TimeProvider = timeProvider }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = settings.BreakerFailureRatio,
                MinimumThroughput = settings.BreakerMinimumThroughput,
                SamplingDuration = TimeSpan.FromSeconds(settings.BreakerSamplingSeconds),
                BreakDuration = _breakDuration,
                // Timeouts arrive as TimeoutRejectedException; a bare cancellation is the client leaving, not Redis failing.
                ShouldHandle = new PredicateBuilder().Handle<Exception>(exception => exception is not OperationCanceledException),
                OnOpened = _ => { Enter(); return default; },
                OnClosed = _ => { Leave(); return default; },
            })
            .AddTimeout(TimeSpan.FromMilliseconds(settings.DecisionBudgetMilliseconds))
            .Build();
    }

    public bool IsDegraded => Volatile.Read(ref _degraded) == 1;

    /// <summary>Seconds until the open circuit lets a probe through: the honest Retry-After of a Closed fallback.</summary>
    public int SecondsUntilRetry()
    {
        if (!IsDegraded)
        {
            return 1;
        }

        var remaining = _breakDuration - _timeProvider.GetElapsedTime(Interlocked.Read(ref _openedAtTimestamp));
        return Math.Max(1, (int)Math.Ceiling(remaining.TotalSeconds));
    }

    /// <summary>Runs a Redis decision within the budget; null when Redis did not answer (timeout, error, open circuit).</summary>
    public async ValueTask<T?> TryExecuteAsync<T>(Func<CancellationToken, ValueTask<T>> decision, CancellationToken cancellationToken)
        where T : class
    {
        var resilienceContext = ResilienceContextPool.Shared.Get(cancellationToken);
        Outcome<T> outcome;
        try
        {
            outcome = await _pipeline.ExecuteOutcomeAsync(
                static async (context, state) =>
                {
                    try
                    {
                        return Outcome.FromResult(await state(context.CancellationToken));
                    }
                    catch (Exception exception)
                    {
                        return Outcome.FromException<T>(exception);
                    }
                },
                resilienceContext,
                decision);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(resilienceContext);
        }

        if (outcome.Exception is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            // The client went away; nothing to decide.
            ExceptionDispatchInfo.Throw(outcome.Exception);
        }

        if (outcome.Exception is { } failure and not BrokenCircuitException)
        {
            LogDecisionFailed(_logger, failure.GetType().Name);
        }

        return outcome.Result;
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(IsDegraded
            ? HealthCheckResult.Degraded("Redis does not answer rate-limit decisions in time: each policy applies its fallback.")
            : HealthCheckResult.Healthy("Rate limits are shared through Redis."));

    private void Enter()
    {
        Interlocked.Exchange(ref _openedAtTimestamp, _timeProvider.GetTimestamp());
        // The breaker re-opens after every failed probe; only the first opening is news.
        if (Interlocked.Exchange(ref _degraded, 1) == 0)
        {
            _metrics.FallbackEntered();
            LogFallbackEntered(_logger, _breakDuration.TotalSeconds);
        }
    }

    private void Leave()
    {
        if (Interlocked.Exchange(ref _degraded, 0) == 1)
        {
            _metrics.FallbackLeft();
            LogFallbackLeft(_logger);
        }
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Error,
        Message = "Rate limiting entered fallback: Redis does not answer in time; policies apply their fallback and Redis is probed every {BreakSeconds} s")]
    private static partial void LogFallbackEntered(ILogger logger, double breakSeconds);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information,
        Message = "Rate limiting left fallback: Redis answers again and limits are shared across replicas")]
    private static partial void LogFallbackLeft(ILogger logger);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Debug,
        Message = "A Redis rate-limit decision failed ({ExceptionType}); the policy's fallback decided")]
    private static partial void LogDecisionFailed(ILogger logger, string exceptionType);
}
