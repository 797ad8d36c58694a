using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace SecureStack.AppHost.Extensions;

/// <summary>How many instances of the stateless services run, locally and in the published manifest.</summary>
public static class ScaleExtensions
{
    public const string GatewayReplicasKey = "Scale:GatewayReplicas";
    public const string ApiReplicasKey = "Scale:ApiReplicas";
    public const int DefaultReplicas = 2;
    public const int MaxReplicas = 10;

    /// <summary>The replica count under <paramref name="key"/>, <see cref="DefaultReplicas"/> when unset.</summary>
    public static int GetReplicas(this IConfiguration configuration, string key)
    {
        var value = configuration[key];
        if (string.IsNullOrWhiteSpace(value))
        {
            return DefaultReplicas;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var replicas) && replicas is >= 1 and <= MaxReplicas
            ? replicas
            : throw new InvalidOperationException($"{key} must be a whole number from 1 to {MaxReplicas}, not '{value}'.");
    }

    /// <summary>
    /// Runs the Gateway as <paramref name="replicas"/> instances and tells each how many there are: the Gateway's
    /// in-process fallback limiter (used while Redis is unreachable) admits limit ÷ ExpectedReplicas, so the
    /// total across replicas stays near the configured limit. The Redis-backed limit is shared and needs no count.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithGatewayReplicas(this IResourceBuilder<ProjectResource> gateway, int replicas) =>
        gateway
            .WithReplicas(replicas)
            .WithEnvironment("RateLimiting__ExpectedReplicas", replicas.ToString(CultureInfo.InvariantCulture));
}
