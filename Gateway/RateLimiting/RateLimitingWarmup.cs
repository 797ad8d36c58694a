using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace SecureStack.Gateway.RateLimiting;

/// <summary>
/// Connects to Redis and runs one throwaway decision per policy before the Gateway takes traffic. Otherwise the
/// first requests pay for the connection, script loading and JIT, overrun the decision budget and are decided
/// by the fallback for no reason. Failure here is not fatal: the Gateway starts on its fallbacks.
/// </summary>
internal sealed partial class RateLimitingWarmup(
    GatewayRateLimiter limiter,
    IConnectionMultiplexer redis,
    IOptions<RateLimitingOptions> options,
    ILogger<RateLimitingWarmup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            await redis.GetDatabase().PingAsync().WaitAsync(timeout.Token);
            foreach (var name in options.Value.Policies.Keys)
            {
                var decision = await limiter.ChainFor(name)[^1].WarmUpAsync(timeout.Token);
                decision.Release();
            }
        }
        catch (Exception exception) when (exception is RedisException or OperationCanceledException or TimeoutException)
        {
            LogWarmupFailed(logger, exception.GetType().Name);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 4104, Level = LogLevel.Warning,
        Message = "Rate limiting could not warm up against Redis ({ExceptionType}); starting on the fallbacks")]
    private static partial void LogWarmupFailed(ILogger logger, string exceptionType);
}
