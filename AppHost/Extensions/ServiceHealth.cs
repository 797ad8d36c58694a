namespace SecureStack.AppHost.Extensions;

/// <summary>
/// The readiness path every service maps (ServiceDefaults' <c>MapDefaultHealthChecks</c>). The orchestrator probes
/// it over the plain-HTTP endpoint: the probe stays inside the host, and the development certificate that
/// serves the Gateway's HTTPS endpoint is not one the orchestrator trusts.
/// </summary>
public static class ServiceHealth
{
    public const string ReadinessPath = "/health";
}
