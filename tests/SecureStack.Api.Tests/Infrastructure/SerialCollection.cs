namespace SecureStack.Api.Tests.Infrastructure;

/// <summary>
/// Tests that build their own Api hosts (start-up failures, key-cache counts and timings) run alone, after the
/// parallel ones: WebApplicationFactory finds its host through process-wide hosting diagnostics, and timing
/// bounds should not measure another test's load on a 2-core machine.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public static class SerialCollection
{
    public const string Name = "Serial";
}
