namespace SecureStack.AppHost.Extensions;

public static class RedisMemoryExtensions
{
    /// <summary>How much memory Redis may use: far above what counters and the deny-list need (100,000 revocations is about 20 MB).</summary>
    public const string DefaultMaxMemory = "128mb";

    /// <summary>
    /// Evicts only keys with a TTL when full. Rate-limit counters carry TTLs and may go (a counter restarts);
    /// the deny-list key has none, so a revocation is never evicted silently: once only untimed data is left,
    /// writes fail and Identity answers 503 to the revocation (event 4020) rather than pretend it was published.
    /// </summary>
    public const string EvictionPolicy = "volatile-lru";

    /// <summary>
    /// Starts Redis with a memory limit and the eviction policy above, so whatever an attacker makes us store
    /// (counters per address, revocations) cannot take the machine's memory.
    /// </summary>
    public static IResourceBuilder<RedisResource> WithMemoryLimit(this IResourceBuilder<RedisResource> redis, string maxMemory = DefaultMaxMemory) =>
        redis.WithArgs(context =>
        {
            string[] limit = ["--maxmemory", maxMemory, "--maxmemory-policy", EvictionPolicy];

            // Published, the integration passes one "sh -c 'redis-server ...'" command: the options go inside it.
            var command = context.Args.IndexOf("-c");
            if (command >= 0 && command + 1 < context.Args.Count && context.Args[command + 1] is string line)
            {
                context.Args[command + 1] = line + " " + string.Join(' ', limit);
            }
            else
            {
                foreach (var argument in limit)
                {
                    context.Args.Add(argument);
                }
            }
        });
}
