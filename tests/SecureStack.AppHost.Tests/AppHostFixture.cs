using System.Net.Http.Json;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using SecureStack.Testing;

namespace SecureStack.AppHost.Tests;

/// <summary>
/// Boots the whole AppHost once per collection (disposal alone takes seconds) and waits, with an explicit
/// budget, until every resource reports healthy.
/// </summary>
public class AppHostFixture : IAsyncLifetime
{
    // Generous: in a full run several AppHosts, Testcontainers and test hosts share two cores.
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(6);
    public static readonly string[] Resources = ["redis", "identity", "api", "gateway"];

    private DistributedApplication? _app;

    /// <summary>AppHost settings beyond the parameters, e.g. another database provider.</summary>
    protected virtual string[] Arguments => [];

    /// <summary>The resources whose every instance must be healthy before a test runs.</summary>
    protected virtual string[] ResourcesToWaitFor => Resources;

    /// <summary>The machine client's secret, supplied as the AppHost parameter a deployment would set.</summary>
    public string ServiceClientSecret { get; } = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));

    /// <summary>The orchestrator's name of every instance of each resource, e.g. <c>gateway</c> → two names.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Replicas { get; private set; } = new Dictionary<string, IReadOnlyList<string>>();

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The AppHost has not started.");

    /// <summary>
    /// A client of the Gateway's HTTPS endpoint, as an outside client would be: it trusts the development
    /// certificate explicitly and nothing else.
    /// </summary>
    public HttpClient CreateGatewayClient() =>
        new(DevelopmentCertificate.CreateHandler())
        {
            BaseAddress = App.GetEndpoint("gateway", "https"),
            Timeout = TimeSpan.FromSeconds(30),
        };

    /// <summary>The Development demo user's password (role admin), supplied as its AppHost parameter.</summary>
    public string DemoUserPassword { get; } = "Demo-" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    /// <summary>
    /// A user access token for the demo user through the Development-only password grant (the README's
    /// walk-through client), from Identity through the Gateway.
    /// </summary>
    public Task<string> GetDemoUserTokenAsync(HttpClient gateway, string scope) =>
        RequestTokenAsync(gateway, new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["client_id"] = "securestack-demo",
            ["username"] = "demo@securestack.local",
            ["password"] = DemoUserPassword,
            ["scope"] = scope,
        });

    /// <summary>A client-credentials access token for the machine client, from Identity through the Gateway.</summary>
    public Task<string> GetServiceTokenAsync(HttpClient gateway, string scope) =>
        RequestTokenAsync(gateway, new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = "securestack-service",
            ["client_secret"] = ServiceClientSecret,
            ["scope"] = scope,
        });

    private static async Task<string> RequestTokenAsync(HttpClient gateway, Dictionary<string, string> form)
    {
        using var response = await gateway.PostAsync("/connect/token", new FormUrlEncodedContent(form));
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        return body.GetProperty("access_token").GetString() ?? throw new InvalidOperationException("no access_token");
    }

    public async ValueTask InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);

        // The AppHost reads its configuration from the environment as under eng/run.sh, so on offline
        // machines it takes the locally built Redis image that eng/test.sh points Containers__Redis__Image at.
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.SecureStack_AppHost>(
            [$"--Parameters:service-client-secret={ServiceClientSecret}", $"--Parameters:demo-user-password={DemoUserPassword}", .. Arguments],
            (options, _) => options.DisableDashboard = true,
            timeout.Token);
        builder.WithIsolatedServiceData();

        _app = await builder.BuildAsync(timeout.Token);
        await _app.StartAsync(timeout.Token);

        Replicas = await ReplicaHealth.WaitForEveryReplicaAsync(_app, ResourcesToWaitFor, timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}

[CollectionDefinition(Name)]
public sealed class AppHostCollection : ICollectionFixture<AppHostFixture>
{
    public const string Name = "apphost";
}
