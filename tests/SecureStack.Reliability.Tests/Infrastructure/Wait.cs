using System.Diagnostics;

namespace SecureStack.Reliability.Tests.Infrastructure;

public static class Wait
{
    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="timeout"/> passes; returns how long it took.</summary>
    public static async Task<TimeSpan> UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(watch.Elapsed < timeout, $"{what}: not within {timeout.TotalSeconds:F0} s");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        return watch.Elapsed;
    }

    public static void Report(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);
}
