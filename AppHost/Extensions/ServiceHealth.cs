// Probes are experimental in Aspire 13 (ASPIREPROBES001). Accepted knowingly and only here: they are the only way
// the published manifest declares health probes for Container Apps, and an API change breaks this one file's
// build, not a deployment.
#pragma warning disable ASPIREPROBES001

namespace SecureStack.AppHost.Extensions;

/// <summary>
/// The health endpoints every service serves (ServiceDefaults' <c>UseDefaultHealthChecks</c>), on a management
/// endpoint of their own: the service answers probes only on that port (<c>Health:Port</c>), so the Gateway's public
/// endpoints never reveal its state. Plain HTTP: the probe stays inside the host (or the container app), and the
/// development certificate that serves the Gateway's HTTPS endpoint is not one the orchestrator trusts.
/// </summary>
public static class ServiceHealth
{
    /// <summary>Every registered check, Redis included where a service uses it: "send me traffic".</summary>
    public const string ReadinessPath = "/health";

    /// <summary>Only checks tagged <c>live</c>: "restart me if this fails". A Redis outage must not restart replicas.</summary>
    public const string LivenessPath = "/alive";

    public const string ManagementEndpointName = "management";

    /// <summary>
    /// The container port of the management endpoint when published. Locally each replica gets a port of its own
    /// behind the orchestrator's proxy, so none is fixed there.
    /// </summary>
    public const int PublishedManagementPort = 8081;

    /// <summary>
    /// A management endpoint and readiness and liveness probes on it. Locally they become the orchestrator's health
    /// checks (resources wait for each other on them); published, they are the manifest's <c>probes</c>, which
    /// azd turns into Container Apps probes. Call it after <c>WithExternalHttpEndpoints</c>: the management endpoint
    /// must stay internal.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithServiceProbes(this IResourceBuilder<ProjectResource> service)
    {
        var published = service.ApplicationBuilder.ExecutionContext.IsPublishMode;
        service.WithHttpEndpoint(name: ManagementEndpointName, targetPort: published ? PublishedManagementPort : null);
        var management = service.GetEndpoint(ManagementEndpointName);

        return service
            .WithEnvironment("Health__Port", management.Property(EndpointProperty.TargetPort))
            .WithHttpProbe(ProbeType.Readiness, ReadinessPath, endpointName: ManagementEndpointName)
            .WithHttpProbe(ProbeType.Liveness, LivenessPath, endpointName: ManagementEndpointName);
    }
}
