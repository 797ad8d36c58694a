using Microsoft.AspNetCore.HostFiltering;
using Microsoft.Extensions.Options;
using SecureStack.ServiceDefaults.Security;

namespace SecureStack.Gateway.Extensions;

public static class EdgeExposureExtensions
{
    /// <summary>
    /// What the edge answers to: only the public host names in <c>AllowedHosts</c> (the framework's host filtering,
    /// so a hostile <c>Host</c> never reaches a backend through <c>X-Forwarded-Host</c>), and health only on the
    /// management port (<c>Health:Port</c>). Both are refused when missing outside Development.
    /// </summary>
    public static WebApplicationBuilder AddGatewayEdgeExposure(this WebApplicationBuilder builder)
    {
        // The framework's rejection is written before any of our middleware runs: an empty 400 carries nothing a
        // browser could render without our headers, where the default HTML page would.
        builder.Services.Configure<HostFilteringOptions>(options => options.IncludeFailureMessage = false);
        builder.Services.AddSecuritySelfCheck<EdgeExposureSelfCheck>();
        return builder;
    }

    private sealed class EdgeExposureSelfCheck(IOptions<HostFilteringOptions> hosts, IOptions<HealthEndpointOptions> health) : ISecuritySelfCheck
    {
        public IEnumerable<string> FindInsecureSettings()
        {
            if (hosts.Value.AllowedHosts.Count == 0 || hosts.Value.AllowedHosts.Contains("*"))
            {
                yield return "AllowedHosts is '*' or unset, so the Gateway accepts any Host header and forwards it to Identity: set AllowedHosts to the public host names clients use, separated by ';' (e.g. AllowedHosts=api.example.com).";
            }

            if (health.Value.Port is null)
            {
                yield return "Health:Port is not set, so /health and /alive answer anyone on the public port, unlimited, and tell whether the Gateway runs on its fallback limiter: set Health:Port to a management port the ingress does not expose (the AppHost does).";
            }
        }
    }
}
