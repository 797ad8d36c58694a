using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using SecureStack.ServiceDefaults.Security;

namespace SecureStack.Api.Tests.Infrastructure;

/// <summary>Captures what the Api writes to the security-event log, so a test can assert an event was raised.</summary>
public sealed class SecurityEventLog : ILoggerProvider
{
    private readonly ConcurrentQueue<SecurityEvent> _events = new();

    public IReadOnlyList<SecurityEvent> All => [.. _events];

    public ILogger CreateLogger(string categoryName) =>
        categoryName == SecurityEvents.Category ? new Logger(_events) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public void Dispose()
    {
    }

    private sealed class Logger(ConcurrentQueue<SecurityEvent> events) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            events.Enqueue(new SecurityEvent(eventId.Name ?? eventId.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), formatter(state, exception)));
    }
}

public sealed record SecurityEvent(string Name, string Message);
