using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace SecureStack.Testing;

/// <summary>
/// Keeps every log entry so tests can assert that a security event was (or was not) written, and, when given a
/// queue for them, the exceptions logged with the entries.
/// </summary>
public sealed class CapturingLoggerProvider(
    ConcurrentQueue<(EventId EventId, string Category, string Message)> entries, ConcurrentQueue<Exception>? exceptions = null) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, entries, exceptions);

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(
        string category, ConcurrentQueue<(EventId, string, string)> entries, ConcurrentQueue<Exception>? exceptions) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                entries.Enqueue((eventId, category, formatter(state, exception) + (exception is null ? string.Empty : Environment.NewLine + exception)));
                if (exception is not null)
                {
                    exceptions?.Enqueue(exception);
                }
            }
        }
    }
}
