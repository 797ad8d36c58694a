using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace SecureStack.Testing;

/// <summary>Keeps every log entry so tests can assert that a security event was (or was not) written.</summary>
public sealed class CapturingLoggerProvider(ConcurrentQueue<(EventId EventId, string Category, string Message)> entries) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, entries);

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(string category, ConcurrentQueue<(EventId, string, string)> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                entries.Enqueue((eventId, category, formatter(state, exception) + (exception is null ? string.Empty : Environment.NewLine + exception)));
            }
        }
    }
}
