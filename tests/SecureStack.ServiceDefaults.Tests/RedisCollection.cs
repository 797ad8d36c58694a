using SecureStack.Testing;

namespace SecureStack.ServiceDefaults.Tests;

[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisContainerFixture>
{
    public const string Name = "redis";
}
