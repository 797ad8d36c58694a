using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

// The probe annotations are experimental in Aspire 13 (see AppHost/Extensions/ServiceHealth.cs).
#pragma warning disable ASPIREPROBES001

namespace SecureStack.AppHost.Tests;

/// <summary>The resource graph in run mode: nothing is started, so these need no container engine.</summary>
public sealed class ScaleAndProbeConfigurationTests
{
    [Fact]
    public async Task TheGatewayAndTheApiRunTwoReplicasByDefaultAndIdentityOne()
    {
        await using var builder = await CreateAsync([]);

        Assert.Equal(2, Replicas(builder, "gateway"));
        Assert.Equal(2, Replicas(builder, "api"));
        Assert.Equal(1, Replicas(builder, "identity"));
    }

    [Fact]
    public async Task ReplicaCountsComeFromConfiguration()
    {
        await using var builder = await CreateAsync(["--Scale:GatewayReplicas=3", "--Scale:ApiReplicas=1"]);

        Assert.Equal(3, Replicas(builder, "gateway"));
        Assert.Equal(1, Replicas(builder, "api"));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("11")]
    [InlineData("two")]
    [InlineData("-1")]
    public async Task AnUnusableReplicaCountStopsTheAppHostNamingTheKey(string value)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => CreateAsync([$"--Scale:GatewayReplicas={value}"]));

        Assert.Contains("Scale:GatewayReplicas", Flatten(error), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("identity")]
    [InlineData("api")]
    [InlineData("gateway")]
    public async Task EveryServiceDeclaresReadinessAndLivenessProbesOnItsManagementEndpoint(string service)
    {
        await using var builder = await CreateAsync([]);

        var probes = Resource(builder, service).Annotations.OfType<EndpointProbeAnnotation>().ToDictionary(probe => probe.Type);

        Assert.Equal("/health", probes[ProbeType.Readiness].Path);
        Assert.Equal("/alive", probes[ProbeType.Liveness].Path);
        Assert.All(probes.Values, probe => Assert.Equal("management", probe.EndpointReference.EndpointName));
        // F10: the public endpoints do not serve health; the management one is never external.
        var management = Resource(builder, service).Annotations.OfType<EndpointAnnotation>().Single(endpoint => endpoint.Name == "management");
        Assert.False(management.IsExternal);
    }

    [Fact]
    public async Task ALocalRunAsksForNoCertificateOrIngressParameter()
    {
        await using var builder = await CreateAsync([]);

        var parameters = builder.Resources.OfType<ParameterResource>().Select(parameter => parameter.Name).ToList();

        Assert.Contains("service-client-secret", parameters);
        Assert.Contains("demo-user-password", parameters);
        Assert.DoesNotContain(parameters, name => name.StartsWith("identity-", StringComparison.Ordinal));
        Assert.DoesNotContain("ingress-network", parameters);
        Assert.DoesNotContain("gateway-public-hosts", parameters);
    }

    private static async Task<IDistributedApplicationTestingBuilder> CreateAsync(string[] args) =>
        await DistributedApplicationTestingBuilder.CreateAsync<Projects.SecureStack_AppHost>(args, TestContext.Current.CancellationToken);

    private static IResource Resource(IDistributedApplicationTestingBuilder builder, string name) =>
        builder.Resources.Single(resource => resource.Name == name);

    private static int Replicas(IDistributedApplicationTestingBuilder builder, string name) =>
        Resource(builder, name).Annotations.OfType<ReplicaAnnotation>().LastOrDefault()?.Replicas ?? 1;

    private static string Flatten(Exception error) =>
        error.InnerException is null ? error.Message : $"{error.Message} {Flatten(error.InnerException)}";
}
