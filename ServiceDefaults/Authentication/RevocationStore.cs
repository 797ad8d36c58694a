using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace SecureStack.ServiceDefaults.Authentication;

/// <summary>
/// The deny-list as Redis holds it: one sorted set (member = entry, score = expiry) and a channel announcing each
/// new entry. A sorted set makes a full resync one call (<c>ZRANGEBYSCORE now +inf</c>) and expiry one prune
/// (<c>ZREMRANGEBYSCORE -inf now</c>) without a key per token; the key itself carries no TTL, so with the AppHost's
/// <c>volatile-lru</c> policy Redis never evicts it to make room (rate-limit counters, which carry TTLs, go first).
/// </summary>
public sealed class RevocationStore(IConnectionMultiplexer redis, IOptions<RevocationOptions> options, TimeProvider time)
{
    public const string Key = "securestack:revocations";
    public static readonly RedisChannel Channel = RedisChannel.Literal("securestack:revocations");

    // Prune, refuse a new member past the cap, add (never shortening an entry: GT), announce; all in one atomic
    // step, so no subscriber can read the set between the add and the announcement and then miss both.
    private static readonly LuaScript AddScript = LuaScript.Prepare("""
        redis.call('ZREMRANGEBYSCORE', @key, '-inf', '(' .. @now)
        if not redis.call('ZSCORE', @key, @member) and redis.call('ZCARD', @key) >= tonumber(@max) then
          return 0
        end
        redis.call('ZADD', @key, 'GT', @expires, @member)
        redis.call('PUBLISH', @channel, @message)
        return 1
        """);

    /// <summary>
    /// Adds <paramref name="entry"/> and tells every service. False when the list is full (<see cref="RevocationOptions.MaxEntries"/>);
    /// throws <see cref="RedisException"/> or <see cref="TimeoutException"/> when Redis cannot take it (including out of memory).
    /// </summary>
    public async Task<bool> AddAsync(RevocationEntry entry)
    {
        var result = await redis.GetDatabase().ScriptEvaluateAsync(AddScript, new
        {
            key = (RedisKey)Key,
            now = time.GetUtcNow().ToUnixTimeMilliseconds(),
            member = entry.Member,
            max = options.Value.MaxEntries,
            expires = entry.Score,
            channel = Key,
            message = entry.Message,
        });
        return (int)result == 1;
    }

    /// <summary>Every entry that has not expired yet (one call), for a full resync.</summary>
    public async Task<IReadOnlyList<RevocationEntry>> ReadLiveAsync()
    {
        var live = await redis.GetDatabase().SortedSetRangeByScoreWithScoresAsync(
            Key, time.GetUtcNow().ToUnixTimeMilliseconds(), double.PositiveInfinity, take: options.Value.MaxEntries);
        var entries = new List<RevocationEntry>(live.Length);
        foreach (var item in live)
        {
            if (RevocationEntry.TryParse(item.Element, item.Score, out var entry))
            {
                entries.Add(entry);
            }
        }

        return entries;
    }

    /// <summary>
    /// Writes back entries a service still holds that Redis lost (a restart without persistence), so a service
    /// started afterwards learns them too. Never shortens an entry.
    /// </summary>
    public async Task RestoreAsync(IReadOnlyCollection<RevocationEntry> entries)
    {
        if (entries.Count == 0)
        {
            return;
        }

        await redis.GetDatabase().SortedSetAddAsync(
            Key, [.. entries.Select(entry => new SortedSetEntry(entry.Member, entry.Score))], SortedSetWhen.GreaterThan);
    }
}
