// Probes are experimental in Aspire 13 (ASPIREPROBES001). Accepted knowingly and only here: they are the only way
// the published manifest declares health probes for Container Apps, and an API change breaks this one file's
// build, not a deployment.
#pragma warning disable ASPIREPROBES001

namespace SecureStack.AppHost.Extensions;

/// <summary>
/// The health endpoints every service serves (ServiceDefaults' <c>UseDefaultHealthChecks</c>). The orchestrator probes
/// them over the plain-HTTP endpoint: the probe stays inside the host (or the container app), and the
/// development certificate that serves the Gateway's HTTPS endpoint is not one the orchestrator trusts.
/// </summary>
public static class ServiceHealth
{
    /// <summary>Every registered check, Redis included where a service uses it: "send me traffic".</summary>
    public const string ReadinessPath = "/health";

    /// <summary>Only checks tagged <c>live</c>: "restart me if this fails". A Redis outage must not restart replicas.</summary>
    public const string LivenessPath = "/alive";

    /// <summary>
    /// Readiness and liveness probes on the service's HTTP endpoint. Locally they become the orchestrator's health
    /// checks (resources wait for each other on them); published, they are the manifest's <c>probes</c>, which
    /// azd turns into Container Apps probes.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithServiceProbes(this IResourceBuilder<ProjectResource> service) =>
        service
            .WithHttpProbe(ProbeType.Readiness, ReadinessPath, endpointName: "http")
            .WithHttpProbe(ProbeType.Liveness, LivenessPath, endpointName: "http");
}
