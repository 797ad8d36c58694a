using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace SecureStack.AppHost.Tests;

[Collection(AppHostCollection.Name)]
public sealed class GatewayRoutingTests(AppHostFixture fixture)
{
    [Fact]
    public void EveryReplicaOfEveryResourceIsHealthy()
    {
        foreach (var name in AppHostFixture.Resources)
        {
            foreach (var replica in fixture.Replicas[name])
            {
                Assert.True(fixture.App.ResourceNotifications.TryGetCurrentState(replica, out var state), $"{replica} has no state");
                Assert.Equal(HealthStatus.Healthy, state.Snapshot.HealthStatus);
            }
        }
    }

    [Theory]
    [InlineData("gateway", 2)]
    [InlineData("api", 2)]
    [InlineData("identity", 1)]
    [InlineData("redis", 1)]
    public void TheStatelessServicesRunTwoReplicasByDefaultAndIdentityOne(string resource, int replicas)
    {
        Assert.Equal(replicas, fixture.Replicas[resource].Count);
    }

    [Fact]
    public async Task ARequestToTheGatewayReachesTheApi()
    {
        using var gateway = fixture.CreateGatewayClient();

        var response = await gateway.GetAsync("/api/v1/ping", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var ping = await response.Content.ReadFromJsonAsync<Ping>(TestContext.Current.CancellationToken);
        Assert.Equal("api", ping?.Service);
    }

    [Fact]
    public async Task TraceContextCrossesTheGatewayIntoTheApi()
    {
        using var gateway = fixture.CreateGatewayClient();
        var traceId = ActivityTraceId.CreateRandom();
        var clientSpanId = ActivitySpanId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/ping");
        request.Headers.Add("traceparent", $"00-{traceId.ToHexString()}-{clientSpanId.ToHexString()}-01");

        var response = await gateway.SendAsync(request, TestContext.Current.CancellationToken);

        var ping = await response.Content.ReadFromJsonAsync<Ping>(TestContext.Current.CancellationToken);
        Assert.NotNull(ping);
        // Same trace in the Api as in the Gateway's activity (which continued the client's trace) ...
        Assert.Equal(traceId.ToHexString(), ping.TraceId);
        // ... and the Api's parent is a span the Gateway created, not the client's header passed through.
        Assert.NotEqual(clientSpanId.ToHexString(), ping.ParentSpanId);
        Assert.NotEqual(default(ActivitySpanId).ToHexString(), ping.ParentSpanId);
    }

    [Fact]
    public async Task AnUnknownPathIsNotForwarded()
    {
        using var gateway = fixture.CreateGatewayClient();

        var response = await gateway.GetAsync("/internal/admin", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public void OnlyTheGatewayIsReachableFromOutside()
    {
        var model = fixture.App.Services.GetRequiredService<DistributedApplicationModel>();

        var external = model.Resources
            .Where(resource => resource.Annotations.OfType<EndpointAnnotation>().Any(endpoint => endpoint.IsExternal))
            .Select(resource => resource.Name);

        Assert.Equal(["gateway"], external);
    }

    private sealed record Ping(string Service, string? TraceId, string? ParentSpanId);
}
