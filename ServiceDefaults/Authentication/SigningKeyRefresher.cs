using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace SecureStack.ServiceDefaults.Authentication;

/// <summary>
/// Loads the signing keys at start-up and keeps them fresh without waiting for traffic: until the first load
/// succeeds it retries every few seconds (a service started before Identity becomes ready once Identity is up,
/// without a restart), then it refreshes every <see cref="SecureStackJwtOptions.JwksAutomaticRefreshInterval"/>.
/// </summary>
public sealed class SigningKeyRefresher(SigningKeyCache cache, IOptions<SecureStackJwtOptions> options, TimeProvider time)
    : BackgroundService
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var retry = FirstRetry;
        while (!stoppingToken.IsCancellationRequested)
        {
            await cache.RefreshAsync().WaitAsync(stoppingToken);
            TimeSpan wait;
            if (cache.HasKeys)
            {
                retry = FirstRetry;
                var interval = options.Value.JwksAutomaticRefreshInterval;
                var due = cache.LastLoaded + interval - time.GetUtcNow();
                // While Identity is unreachable the keys are stale: try again soon rather than a whole interval later.
                wait = cache.IsStale ? (interval < LongestRetry ? interval : LongestRetry)
                    : due > TimeSpan.Zero ? due : TimeSpan.Zero;
            }
            else
            {
                wait = retry;
                retry = retry * 2 < LongestRetry ? retry * 2 : LongestRetry;
            }

            await Task.Delay(wait, time, stoppingToken);
        }
    }
}

/// <summary>
/// Readiness: Unhealthy until signing keys have loaded (every authenticated request would fail, so the service
/// must not be sent traffic); Degraded while they cannot be refreshed (tokens still validate with the cached keys,
/// so the service stays in rotation).
/// </summary>
public sealed class SigningKeysHealthCheck(SigningKeyCache cache) : IHealthCheck
{
    public const string Name = "token-signing-keys";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(
            !cache.HasKeys ? HealthCheckResult.Unhealthy("No token signing keys loaded yet.")
            : cache.IsStale ? HealthCheckResult.Degraded("Signing keys could not be refreshed; the cached keys are in use.")
            : HealthCheckResult.Healthy());
}
