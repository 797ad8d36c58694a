namespace SecureStack.AppHost.Extensions;

/// <summary>The readiness path every service maps (ServiceDefaults' <c>MapDefaultHealthChecks</c>).</summary>
public static class ServiceHealth
{
    public const string ReadinessPath = "/health";
}
