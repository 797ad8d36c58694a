using System.Reflection;
using Microsoft.Extensions.Logging;
using SecureStack.ServiceDefaults.Security;

namespace SecureStack.ServiceDefaults.Tests;

/// <summary>Operators alert on event ids: in every service that composes ServiceDefaults one id means one event.</summary>
public sealed class LogEventIdTests
{
    [Fact]
    public void NoTwoLogEventsShareAnId()
    {
        var events = typeof(SecurityEvents).Assembly.GetTypes()
            .SelectMany(type => type.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(method => (Name: $"{method.DeclaringType!.Name}.{method.Name}", method.GetCustomAttribute<LoggerMessageAttribute>()?.EventId))
            .Where(entry => entry.EventId is not null)
            .ToList();

        var shared = events.GroupBy(entry => entry.EventId)
            .Where(group => group.Count() > 1)
            .Select(group => $"{group.Key}: {string.Join(", ", group.Select(entry => entry.Name))}");

        Assert.Contains(events, entry => entry.EventId == SecurityEvents.Ids.AuthenticationFailed.Id);
        Assert.Empty(shared);
    }
}
