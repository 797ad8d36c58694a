using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace SecureStack.ServiceDefaults.Security;

/// <summary>
/// One contribution to the start-up security self-check. A service registers one per concern with
/// <see cref="SecuritySelfCheckExtensions.AddSecuritySelfCheck{TCheck}"/>.
/// </summary>
public interface ISecuritySelfCheck
{
    /// <summary>
    /// Each finding is one insecure setting, phrased as what to change, e.g.
    /// "Cors:AllowedOrigins contains '*': list the exact origins that may call this service."
    /// </summary>
    IEnumerable<string> FindInsecureSettings();
}

/// <summary>
/// Runs every <see cref="ISecuritySelfCheck"/> before the server starts listening. Outside Development any
/// finding stops start-up with all findings in one message; in Development they are logged as warnings so
/// the demo still runs. The result is also the <c>security-self-check</c> health check.
/// </summary>
public sealed class SecuritySelfCheckRunner(
    IEnumerable<ISecuritySelfCheck> checks,
    IHostEnvironment environment,
    SecurityEvents securityEvents,
    ILogger<SecuritySelfCheckRunner> logger) : IHostedLifecycleService, IHealthCheck
{
    public const string HealthCheckName = "security-self-check";

    private IReadOnlyList<string> _findings = [];

    public IReadOnlyList<string> Findings => _findings;

    public IReadOnlyList<string> Run()
    {
        _findings = [.. checks.SelectMany(check => check.FindInsecureSettings())];
        return _findings;
    }

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        var findings = Run();
        if (findings.Count == 0)
        {
            return Task.CompletedTask;
        }

        foreach (var finding in findings)
        {
            securityEvents.InsecureConfiguration(finding);
        }

        if (!environment.IsDevelopment())
        {
            throw new InsecureConfigurationException(environment.EnvironmentName, findings);
        }

        logger.LogWarning(
            "{Count} insecure setting(s) accepted because the environment is Development; start-up would fail in any other environment.",
            findings.Count);
        return Task.CompletedTask;
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_findings.Count == 0
            ? HealthCheckResult.Healthy("No insecure setting found.")
            : HealthCheckResult.Degraded($"{_findings.Count} insecure setting(s) accepted in Development."));

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

public sealed class InsecureConfigurationException(string environmentName, IReadOnlyList<string> findings)
    : InvalidOperationException(
        $"Refusing to start in the '{environmentName}' environment with insecure settings. Change:"
        + string.Concat(findings.Select(finding => $"{Environment.NewLine}  - {finding}")))
{
    public IReadOnlyList<string> Findings { get; } = findings;
}

public static class SecuritySelfCheckExtensions
{
    /// <summary>Adds a self-check contribution (and, once, the runner and its health check).</summary>
    public static IServiceCollection AddSecuritySelfCheck<TCheck>(this IServiceCollection services)
        where TCheck : class, ISecuritySelfCheck
    {
        services.AddSecuritySelfCheckRunner();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISecuritySelfCheck, TCheck>());
        return services;
    }

    /// <summary>The security-event log and what it needs to name the client of the current request.</summary>
    internal static IServiceCollection AddSecurityEvents(this IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.TryAddSingleton<IClientAddressResolver, ConnectionClientAddressResolver>();
        services.TryAddSingleton<SecurityEvents>();
        return services;
    }

    internal static IServiceCollection AddSecuritySelfCheckRunner(this IServiceCollection services)
    {
        if (services.Any(descriptor => descriptor.ServiceType == typeof(SecuritySelfCheckRunner)))
        {
            return services;
        }

        services.AddSecurityEvents();
        services.AddSingleton<SecuritySelfCheckRunner>();
        services.AddHostedService(provider => provider.GetRequiredService<SecuritySelfCheckRunner>());
        services.AddHealthChecks().Add(new HealthCheckRegistration(
            SecuritySelfCheckRunner.HealthCheckName,
            provider => provider.GetRequiredService<SecuritySelfCheckRunner>(),
            failureStatus: null,
            tags: null));
        return services;
    }
}
