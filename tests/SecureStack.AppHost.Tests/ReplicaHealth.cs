using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace SecureStack.AppHost.Tests;

public static class ReplicaHealth
{
    /// <summary>
    /// Waits until every instance of each resource is healthy. A replicated resource has one orchestrator
    /// resource per replica (<c>gateway-abcd1234</c>), so waiting on the name alone is not enough.
    /// </summary>
    /// <returns>The instances' names per resource.</returns>
    public static async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> WaitForEveryReplicaAsync(
        DistributedApplication app, IReadOnlyCollection<string> resources, CancellationToken cancellationToken)
    {
        var model = app.Services.GetRequiredService<DistributedApplicationModel>();
        var expected = resources.ToDictionary(name => name, name =>
            model.Resources.Single(resource => resource.Name == name).Annotations.OfType<ReplicaAnnotation>().LastOrDefault()?.Replicas ?? 1);
        var healthy = resources.ToDictionary(name => name, _ => new SortedSet<string>(StringComparer.Ordinal));

        // Replays the current state of every instance, then follows changes.
        await foreach (var update in app.ResourceNotifications.WatchAsync(cancellationToken))
        {
            if (!healthy.TryGetValue(update.Resource.Name, out var instances))
            {
                continue;
            }

            if (update.Snapshot.HealthStatus == HealthStatus.Healthy)
            {
                instances.Add(update.ResourceId);
            }
            else
            {
                instances.Remove(update.ResourceId);
            }

            if (healthy.All(resource => resource.Value.Count >= expected[resource.Key]))
            {
                return healthy.ToDictionary(resource => resource.Key, resource => (IReadOnlyList<string>)[.. resource.Value]);
            }
        }

        throw new OperationCanceledException(cancellationToken);
    }
}
