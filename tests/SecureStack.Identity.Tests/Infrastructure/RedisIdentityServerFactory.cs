using StackExchange.Redis;

namespace SecureStack.Identity.Tests.Infrastructure;

/// <summary>
/// The Development server with the Redis it publishes revocations to (a container of its own), for the tests that
/// look at what a revocation writes there. Tests using it run one at a time (they compare Redis before and after).
/// </summary>
public sealed class RedisIdentityServerFactory : IdentityServerFactory
{
    private RedisIdentityServerFactory(RedisContainerFixture redis)
        : base(dataPath: null, environment: "Development", new Dictionary<string, string?>
        {
            ["ConnectionStrings:redis"] = redis.ConnectionString,
        })
    {
        Redis = redis;
    }

    public RedisIdentityServerFactory()
        : this(StartRedis())
    {
    }

    public RedisContainerFixture Redis { get; }

    /// <summary>Every key in Redis and how long its longest-lived entry lives: a string's TTL, a sorted set's highest expiry score.</summary>
    public async Task<IReadOnlyDictionary<string, TimeSpan?>> EntriesAsync()
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(Redis.ConnectionString);
        var server = connection.GetServer(connection.GetEndPoints()[0]);
        var database = connection.GetDatabase();
        var entries = new Dictionary<string, TimeSpan?>(StringComparer.Ordinal);
        await foreach (var key in server.KeysAsync(pattern: "*"))
        {
            entries[key.ToString()] = await database.KeyTypeAsync(key) switch
            {
                RedisType.SortedSet => await database.SortedSetRangeByRankWithScoresAsync(key, -1, -1) is [var last]
                    ? DateTimeOffset.FromUnixTimeMilliseconds((long)last.Score) - DateTimeOffset.UtcNow
                    : null,
                _ => await database.KeyTimeToLiveAsync(key),
            };
        }

        return entries;
    }

    /// <summary>The members of every sorted set plus the names of every other key: what a revocation left behind.</summary>
    public async Task<IReadOnlyList<string>> ContentAsync()
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(Redis.ConnectionString);
        var server = connection.GetServer(connection.GetEndPoints()[0]);
        var database = connection.GetDatabase();
        var content = new List<string>();
        await foreach (var key in server.KeysAsync(pattern: "*"))
        {
            if (await database.KeyTypeAsync(key) == RedisType.SortedSet)
            {
                content.AddRange((await database.SortedSetRangeByRankAsync(key)).Select(member => $"{key} {member}"));
            }
            else
            {
                content.Add(key.ToString());
            }
        }

        return content;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Redis.DisposeAsync();
    }

    private static RedisContainerFixture StartRedis()
    {
        var redis = new RedisContainerFixture();
        redis.InitializeAsync().AsTask().GetAwaiter().GetResult();
        return redis;
    }
}
