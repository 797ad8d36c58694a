using System.Reflection;
using Microsoft.Extensions.Logging;
using SecureStack.ServiceDefaults.Security;

namespace SecureStack.ServiceDefaults.Tests;

/// <summary>The event catalogue operators alert on (docs/security-events.md) stays true to the code.</summary>
public sealed class SecurityEventCatalogueTests
{
    private static IReadOnlyList<EventId> SecurityEventIds =>
        [.. typeof(SecurityEvents.Ids).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(member => member.FieldType == typeof(EventId))
            .Select(member => (EventId)member.GetValue(null)!)];

    [Fact]
    public void EverySecurityEventIsInTheCatalogueWithItsName()
    {
        var catalogue = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "security-events.md"));

        var missing = SecurityEventIds.Where(id => !catalogue.Contains($"| {id.Id} | {id.Name} |", StringComparison.Ordinal));

        Assert.Empty(missing);
    }

    [Fact]
    public void NoTwoSecurityEventsShareAnId()
    {
        var ids = SecurityEventIds;

        Assert.Equal(ids.Count, ids.Select(id => id.Id).Distinct().Count());
        Assert.All(ids, id => Assert.InRange(id.Id, 4001, 4099));
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "SecureStack.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("SecureStack.sln not found above " + AppContext.BaseDirectory);
    }
}
