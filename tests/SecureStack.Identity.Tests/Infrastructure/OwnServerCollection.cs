namespace SecureStack.Identity.Tests.Infrastructure;

/// <summary>
/// Tests that start their own server or another host run alone: WebApplicationFactory finds its host through a
/// process-wide hook, so two hosts must not be built at the same moment.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class OwnServerCollection
{
    public const string Name = "Own servers";
}
