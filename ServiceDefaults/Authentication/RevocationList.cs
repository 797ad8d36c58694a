using System.Security.Claims;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using SecureStack.ServiceDefaults.Security;

namespace SecureStack.ServiceDefaults.Authentication;

/// <summary>
/// This service's copy of the deny-list: the access tokens (<c>jti</c>) and authorizations (<c>oi_au_id</c>)
/// revoked at Identity before their tokens expire, fed from Redis by <see cref="RevocationListSynchronizer"/>.
/// The check on every request is a memory lookup, so no load on Redis can make it answer "not revoked" for a
/// token it knows (the lookup budget that failed open under a flood is gone). Bounded by
/// <see cref="RevocationOptions.MaxEntries"/>; an entry is never dropped before its expiry to make room.
/// </summary>
public sealed class RevocationList : IDisposable
{
    private readonly MemoryCache _entries;
    private readonly TimeProvider _time;
    private readonly SecurityEvents _securityEvents;
    private long _synchronizedTicks;
    private long _feedLostTicks;

    public RevocationList(bool isConfigured, IOptions<RevocationOptions> options, TimeProvider time, SecurityEvents securityEvents)
    {
        IsConfigured = isConfigured;
        _time = time;
        _securityEvents = securityEvents;
        _entries = new MemoryCache(new MemoryCacheOptions
        {
            SizeLimit = options.Value.MaxEntries,
            ExpirationScanFrequency = TimeSpan.FromSeconds(30),
        });
    }

    /// <summary>Whether a Redis connection is configured to feed the list (the self-check refuses "no" outside Development).</summary>
    public bool IsConfigured { get; }

    /// <summary>Whether the list has been read from Redis at least once: until then no token can be checked.</summary>
    public bool HasSynchronized => Interlocked.Read(ref _synchronizedTicks) != 0;

    /// <summary>When the last full resync succeeded.</summary>
    public DateTimeOffset? LastSynchronized => Ticks(ref _synchronizedTicks);

    /// <summary>Since when the feed from Redis is down (null while it is up): the list known then is still enforced.</summary>
    public DateTimeOffset? FeedLostSince => Ticks(ref _feedLostTicks);

    public int Count => _entries.Count;

    /// <summary>Whether the token with this <c>jti</c>, issued under this authorization, has been revoked.</summary>
    public bool IsRevoked(string? tokenId, string? authorizationId) =>
        Contains(RevocationKind.Token, tokenId) || Contains(RevocationKind.Authorization, authorizationId);

    public bool IsRevoked(ClaimsPrincipal principal) =>
        IsRevoked(principal.FindFirst(SecureStackClaimTypes.TokenId)?.Value, principal.FindFirst(SecureStackClaimTypes.AuthorizationId)?.Value);

    /// <summary>Adds (or lengthens) an entry; false when the list is full, which is logged (event 4023).</summary>
    public bool Add(RevocationEntry entry)
    {
        if (entry.Expires <= _time.GetUtcNow() || !RevocationEntry.IsValidId(entry.Id))
        {
            return true;
        }

        var key = (entry.Kind, entry.Id);
        if (_entries.TryGetValue(key, out DateTimeOffset known) && known >= entry.Expires)
        {
            return true;
        }

        // NeverRemove: compaction under the size limit removes expired entries only, never a live revocation.
        _entries.Set(key, entry.Expires, new MemoryCacheEntryOptions
        {
            Size = 1,
            AbsoluteExpiration = entry.Expires,
            Priority = CacheItemPriority.NeverRemove,
        });
        if (_entries.TryGetValue(key, out _))
        {
            return true;
        }

        _securityEvents.RevocationListFull(_entries.Count);
        return false;
    }

    /// <summary>Every live entry, for writing back to a Redis that lost them.</summary>
    public IReadOnlyList<RevocationEntry> Snapshot()
    {
        var now = _time.GetUtcNow();
        var entries = new List<RevocationEntry>();
        foreach (var key in _entries.Keys)
        {
            if (key is (RevocationKind kind, string id) && _entries.TryGetValue(key, out DateTimeOffset expires) && expires > now)
            {
                entries.Add(new RevocationEntry(kind, id, expires));
            }
        }

        return entries;
    }

    internal void MarkSynchronized(bool feedUp)
    {
        Interlocked.Exchange(ref _synchronizedTicks, _time.GetUtcNow().UtcTicks);
        if (feedUp)
        {
            Interlocked.Exchange(ref _feedLostTicks, 0);
        }
    }

    /// <summary>Records the loss of the feed; true the first time (so it is logged once per outage).</summary>
    internal bool MarkFeedLost() => Interlocked.CompareExchange(ref _feedLostTicks, _time.GetUtcNow().UtcTicks, 0) == 0;

    public void Dispose() => _entries.Dispose();

    private bool Contains(RevocationKind kind, string? id) =>
        id is { Length: > 0 } && _entries.TryGetValue((kind, id), out DateTimeOffset expires) && expires > _time.GetUtcNow();

    private static DateTimeOffset? Ticks(ref long ticks) =>
        Interlocked.Read(ref ticks) is var value and not 0 ? new DateTimeOffset(value, TimeSpan.Zero) : null;
}

/// <summary>The token's <c>jti</c> or authorization is on the deny-list.</summary>
public sealed class RevokedTokenException() : SecurityTokenException("The access token was revoked.");

/// <summary>The deny-list has not been read from Redis yet: no token can be told apart from a revoked one (503).</summary>
public sealed class RevocationListUnavailableException() : InvalidOperationException("The revocation list has not been loaded yet.");
