using SecureStack.Testing;

// Fault tests stop and restart services and time their answers: they do not compete with each other for the cores.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace SecureStack.Reliability.Tests;

/// <summary>One Redis for the suite; the tests that pause or stop Redis live in the Gateway tests with their own.</summary>
[CollectionDefinition(Name)]
public sealed class ReliabilityCollection : ICollectionFixture<RedisContainerFixture>
{
    public const string Name = "reliability";
}
