using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace SecureStack.ServiceDefaults.Authentication;

/// <summary>
/// The ids (<c>jti</c>) of access tokens revoked before they expire, shared through Redis: Identity writes one when
/// a client revokes a token, every service holding a Redis connection refuses it from then on. Self-contained JWTs
/// are otherwise valid until <c>exp</c>, whatever happened at Identity.
/// </summary>
public sealed partial class RevokedTokens(
    IConnectionMultiplexer redis, IOptions<RevocationOptions> options, ILogger<RevokedTokens> logger)
{
    public const string KeyPrefix = "securestack:revoked-token:";

    /// <summary>Records a revoked token until shortly after it would have expired anyway.</summary>
    public async Task RevokeAsync(string tokenId, DateTimeOffset expires)
    {
        var remaining = expires - DateTimeOffset.UtcNow + TimeSpan.FromMinutes(1);
        if (remaining > TimeSpan.Zero)
        {
            await redis.GetDatabase().StringSetAsync(KeyPrefix + tokenId, "1", remaining);
        }
    }

    /// <summary>
    /// Whether the token was revoked. When Redis cannot answer within the budget the token is accepted and the
    /// miss is logged (<see cref="RevocationOptions.LookupBudget"/>): a Redis outage must not lock every caller
    /// out, and the token still expires within minutes.
    /// </summary>
    public async Task<bool> IsRevokedAsync(string tokenId, CancellationToken cancellationToken)
    {
        try
        {
            return await redis.GetDatabase().KeyExistsAsync(KeyPrefix + tokenId).WaitAsync(options.Value.LookupBudget, cancellationToken);
        }
        catch (Exception exception) when (exception is TimeoutException or RedisException)
        {
            LogLookupFailed(logger, exception.GetType().Name);
            return false;
        }
    }

    [LoggerMessage(EventId = 4012, Level = LogLevel.Warning,
        Message = "Revocation lookup failed ({Reason}): token accepted until it expires")]
    private static partial void LogLookupFailed(ILogger logger, string reason);
}
