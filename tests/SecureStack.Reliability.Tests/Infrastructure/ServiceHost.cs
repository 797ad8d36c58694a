using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SecureStack.ServiceDefaults.Authentication;

namespace SecureStack.Reliability.Tests.Infrastructure;

/// <summary>
/// One SecureStack service, unmodified, on real Kestrel at a fixed loopback port: disposing it is the service
/// going away (connections refused), and a new host on the same port with the same data is the same service
/// restarted. Only configuration is supplied, as the AppHost would supply it.
/// </summary>
public sealed class ServiceHost<TEntryPoint> : WebApplicationFactory<TEntryPoint>
    where TEntryPoint : class
{
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _testServices;

    public ServiceHost(int port, IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? testServices = null)
    {
        _settings = settings;
        _testServices = testServices;
        Address = new Uri($"http://127.0.0.1:{port}/");
        UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
    }

    public Uri Address { get; }

    public ConcurrentQueue<(EventId EventId, string Category, string Message)> Logs { get; } = new();

    public int CountLogs(int eventId) => Logs.Count(entry => entry.EventId.Id == eventId);

    /// <summary>One readiness check by name (the endpoint only says the worst of all of them).</summary>
    public async Task<HealthStatus> HealthAsync(string check)
    {
        var report = await Services.GetRequiredService<HealthCheckService>()
            .CheckHealthAsync(registration => registration.Name == check, TestContext.Current.CancellationToken);
        return report.Status;
    }

    public Task<HealthStatus> SigningKeysHealthAsync() => HealthAsync(SigningKeysHealthCheck.Name);

    /// <summary>
    /// A client of the real socket that reports redirects instead of following them: on Kestrel the factory's own
    /// client sits on a SocketsHttpHandler that follows them whatever <c>AllowAutoRedirect</c> says, and Identity's
    /// redirects name the public origin (<c>FaultStack.PublicIssuer</c>), which does not resolve here.
    /// </summary>
    public HttpClient CreateHttpClient()
    {
        EnsureServer();
        return new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
        {
            BaseAddress = Address,
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    /// <summary>Starts the host if no client or service has yet.</summary>
    private void EnsureServer() => _ = Services;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Environments.Development);
        // Host settings, not app configuration: the services read some of them while they build.
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.AddProvider(new CapturingLoggerProvider(Logs)));
        if (_testServices is not null)
        {
            builder.ConfigureTestServices(_testServices);
        }
    }
}
