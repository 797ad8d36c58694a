using System.Globalization;
using System.Net;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using SecureStack.Testing;

namespace SecureStack.AppHost.Tests;

/// <summary>
/// A second AppHost with two Gateway replicas and the <c>per-ip</c> limit lowered for this test only (the override
/// is added to the Gateway resource here, so the AppHost's defaults stay what a deployment gets).
/// </summary>
public sealed class SharedRateLimitFixture : IAsyncLifetime
{
    public const int PermitLimit = 6;
    public const int GatewayReplicas = 2;

    /// <summary>Long enough for a burst, short enough to wait out; a window starts at its first request.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    private DistributedApplication? _app;
    private IReadOnlyDictionary<string, IReadOnlyList<string>> _replicas = new Dictionary<string, IReadOnlyList<string>>();

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The AppHost has not started.");

    public async ValueTask InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(AppHostFixture.StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.SecureStack_AppHost>(
            [
                $"--Scale:GatewayReplicas={GatewayReplicas}",
                "--Scale:ApiReplicas=1",
                $"--Parameters:service-client-secret={Secret()}",
                $"--Parameters:demo-user-password=Demo-{Secret()}",
            ],
            (options, _) => options.DisableDashboard = true,
            timeout.Token);
        builder.WithIsolatedServiceData();

        // The anonymous ping route's policy, lowered, and one partition for every caller: whichever loopback
        // address a connection comes from (the test's, or the orchestrator's proxy's), it is the same limit.
        builder.CreateResourceBuilder<ProjectResource>("gateway")
            .WithEnvironment("RateLimiting__Policies__per-ip__PermitLimit", PermitLimit.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("RateLimiting__Policies__per-ip__WindowSeconds", Window.TotalSeconds.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("RateLimiting__Policies__per-ip__PartitionBy", "Global")
            // Redis decides every request even on a busy test machine: a decision past the budget would fall back
            // to the replica's own limiter, and this test is about the shared one.
            .WithEnvironment("RateLimiting__DecisionBudgetMilliseconds", "1000");

        _app = await builder.BuildAsync(timeout.Token);
        await _app.StartAsync(timeout.Token);
        _replicas = await ReplicaHealth.WaitForEveryReplicaAsync(_app, AppHostFixture.Resources, timeout.Token);
    }

    /// <summary>
    /// Each Gateway replica's own HTTPS address (not the orchestrator's proxy in front of them), read from the
    /// <c>ASPNETCORE_URLS</c> the orchestrator gave that replica.
    /// </summary>
    public IReadOnlyList<Uri> ReplicaAddresses() =>
        [.. _replicas["gateway"].Select(replica =>
        {
            Assert.True(App.ResourceNotifications.TryGetCurrentState(replica, out var state), $"{replica} has no state");
            var urls = state.Snapshot.EnvironmentVariables.FirstOrDefault(variable => variable.Name == "ASPNETCORE_URLS")?.Value
                ?? throw new InvalidOperationException($"{replica} has no ASPNETCORE_URLS");
            return new Uri(urls.Split(';').Single(url => url.StartsWith("https://", StringComparison.Ordinal)));
        })];

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private static string Secret() => Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
}

[CollectionDefinition(Name)]
public sealed class SharedRateLimitCollection : ICollectionFixture<SharedRateLimitFixture>
{
    public const string Name = "shared-rate-limit";
}

/// <summary>Two Gateway replicas count against one limit in Redis: a client gets the limit once, not once per replica.</summary>
[Collection(SharedRateLimitCollection.Name)]
public sealed class SharedRateLimitTests(SharedRateLimitFixture fixture)
{
    [Fact]
    public async Task TwoGatewayReplicasAdmitTheLimitOnceBetweenThem()
    {
        var replicas = fixture.ReplicaAddresses();
        Assert.Equal(SharedRateLimitFixture.GatewayReplicas, replicas.Distinct().Count());

        // Each replica addressed directly: the whole limit through the first, then as much again through the
        // second. Replicas counting on their own would admit the second batch too.
        var first = await SendPingsAsync(replicas[0], SharedRateLimitFixture.PermitLimit);
        var second = await SendPingsAsync(replicas[1], SharedRateLimitFixture.PermitLimit);

        Assert.All(first, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.All(second, status => Assert.Equal(HttpStatusCode.TooManyRequests, status));

        // Then as a client sees it, in a fresh window: through the public endpoint, whose proxy spreads new
        // connections over the replicas (one connection per request), twice the limit admits the limit once.
        await Task.Delay(SharedRateLimitFixture.Window + TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        var statuses = await SendPingsAsync(fixture.App.GetEndpoint("gateway", "https"), 2 * SharedRateLimitFixture.PermitLimit);

        Assert.Equal(SharedRateLimitFixture.PermitLimit, statuses.Count(status => status == HttpStatusCode.OK));
        Assert.Equal(SharedRateLimitFixture.PermitLimit, statuses.Count(status => status == HttpStatusCode.TooManyRequests));
    }

    private static async Task<List<HttpStatusCode>> SendPingsAsync(Uri gateway, int count)
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < count; i++)
        {
            using var client = new HttpClient(DevelopmentCertificate.CreateHandler()) { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(30) };
            using var response = await client.GetAsync("/api/v1/ping", TestContext.Current.CancellationToken);
            statuses.Add(response.StatusCode);
        }

        return statuses;
    }
}
