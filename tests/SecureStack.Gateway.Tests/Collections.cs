using SecureStack.Testing;

// Timing assertions (the decision budget) are only meaningful when tests do not compete for the two cores.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace SecureStack.Gateway.Tests;

[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisContainerFixture>
{
    public const string Name = "redis";
}

/// <summary>Tests that pause and stop their Redis get a container of their own.</summary>
[CollectionDefinition(Name)]
public sealed class RedisFaultCollection : ICollectionFixture<RedisContainerFixture>
{
    public const string Name = "redis-faults";
}
