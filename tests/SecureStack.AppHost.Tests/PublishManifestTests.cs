using System.Security.Cryptography;
using System.Text.Json;

namespace SecureStack.AppHost.Tests;

/// <summary>The publish manifest azd deploys from, generated once with known secret values supplied.</summary>
public sealed class PublishManifestFixture : IAsyncLifetime
{
    /// <summary>Values a deployer would supply; none of them may be written into the manifest.</summary>
    public IReadOnlyDictionary<string, string> Secrets { get; } = new Dictionary<string, string>
    {
        ["service-client-secret"] = NewSecret(),
        ["redis-password"] = NewSecret(),
        ["demo-user-password"] = NewSecret(),
    };

    public Manifest Manifest { get; private set; } = null!;

    public async ValueTask InitializeAsync() =>
        // An empty image setting hides whatever eng/test.sh put in the environment: the upstream image is published.
        Manifest = await PublishManifest.GenerateAsync(
            ["--Containers:Redis:Image=", .. Secrets.Select(secret => $"--Parameters:{secret.Key}={secret.Value}")],
            TestContext.Current.CancellationToken);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static string NewSecret() => "Secret-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(20));
}

public sealed class PublishManifestTests(PublishManifestFixture fixture) : IClassFixture<PublishManifestFixture>
{
    private static readonly string[] Services = ["identity", "api", "gateway"];

    private Manifest Manifest => fixture.Manifest;

    [Fact]
    public void EveryServiceAndItsParametersArePublished()
    {
        Assert.Equal(["redis"], Manifest.NamesOfType("container.v0"));
        Assert.Equal(["api", "gateway", "identity"], Manifest.NamesOfType("project.v0").Order());
        Assert.Equal(["redis-password", "service-client-secret"], Manifest.NamesOfType("parameter.v0").Order());
    }

    [Fact]
    public void EachProjectPointsAtItsOwnProjectFile()
    {
        foreach (var (resource, project) in new[] { ("identity", "Identity"), ("api", "Api"), ("gateway", "Gateway") })
        {
            var path = Path.GetFullPath(Path.Combine(Manifest.Folder, Manifest.Resource(resource).GetProperty("path").GetString()!));

            Assert.Equal(Path.Combine(project, $"SecureStack.{project}.csproj"), Path.GetRelativePath(RepositoryRoot, path));
            Assert.True(File.Exists(path), path);
        }
    }

    [Fact]
    public void OnlyTheGatewayHasExternalBindings()
    {
        var external = Manifest.Resources.EnumerateObject()
            .Where(resource => resource.Value.TryGetProperty("bindings", out var bindings)
                && bindings.EnumerateObject().Any(binding => binding.Value.TryGetProperty("external", out var flag) && flag.GetBoolean()))
            .Select(resource => resource.Name);

        Assert.Equal(["gateway"], external);
        Assert.True(Binding("gateway", "https").GetProperty("external").GetBoolean());
    }

    [Fact]
    public void EveryServiceHasAnHttpBindingForItsProbesAndAnHttpsBinding()
    {
        foreach (var service in Services)
        {
            Assert.Equal("http", Binding(service, "http").GetProperty("scheme").GetString());
            Assert.Equal("https", Binding(service, "https").GetProperty("scheme").GetString());
            Assert.Equal("{" + service + ".bindings.http.targetPort}", Manifest.Env(service, "HTTP_PORTS"));
        }
    }

    [Fact]
    public void RedisIsTheUpstreamImageWithAPasswordOnAnInternalPort()
    {
        var redis = Manifest.Resource("redis");

        Assert.StartsWith("docker.io/library/redis:", redis.GetProperty("image").GetString(), StringComparison.Ordinal);
        Assert.Equal(6379, Binding("redis", "tcp").GetProperty("targetPort").GetInt32());
        Assert.Equal("{redis-password.value}", redis.GetProperty("env").GetProperty("REDIS_PASSWORD").GetString());
        Assert.Contains("password={redis-password.value}", redis.GetProperty("connectionString").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void EverySecretIsASecretParameterWithoutAValue()
    {
        foreach (var name in Manifest.NamesOfType("parameter.v0"))
        {
            var input = Manifest.Resource(name).GetProperty("inputs").GetProperty("value");

            Assert.True(input.GetProperty("secret").GetBoolean(), $"{name} is not secret");
            Assert.False(input.TryGetProperty("value", out _), $"{name} carries a value");
            // azd generates it at deploy time (and keeps it in the environment's .env), or asks for it.
            Assert.True(input.GetProperty("default").TryGetProperty("generate", out _), $"{name} has a literal default");
            Assert.Equal("{" + name + ".inputs.value}", Manifest.Resource(name).GetProperty("value").GetString());
        }

        Assert.Equal("{service-client-secret.value}", Manifest.Env("identity", "Identity__Clients__securestack-service__ClientSecret"));
    }

    [Fact]
    public void NoSuppliedSecretValueAppearsAnywhereInTheManifest()
    {
        foreach (var (name, value) in fixture.Secrets)
        {
            Assert.False(Manifest.Text.Contains(value, StringComparison.Ordinal), $"the value of {name} was published");
        }

        // Nor any value the AppHost generated and persisted in its user secrets on this machine.
        foreach (var value in PersistedParameterValues())
        {
            Assert.False(Manifest.Text.Contains(value, StringComparison.Ordinal), "a persisted parameter value was published");
        }
    }

    [Fact]
    public void TheDemoUserIsNeverPublished()
    {
        Assert.DoesNotContain("demo-user-password", Manifest.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("DemoUser", Manifest.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryServiceValidatesTokensFromTheGatewaysPublicOrigin()
    {
        const string issuer = "{gateway.bindings.https.url}/";

        Assert.Equal(issuer, Manifest.Env("identity", "Identity__Issuer"));
        Assert.Equal(issuer, Manifest.Env("api", "Authentication__Jwt__Issuer"));
        Assert.Equal(issuer, Manifest.Env("gateway", "Authentication__Jwt__Issuer"));
    }

    [Fact]
    public void TheGatewayKnowsItsReplicaCountAndReachesRedisAndTheBackends()
    {
        Assert.Equal("2", Manifest.Env("gateway", "RateLimiting__ExpectedReplicas"));
        Assert.Equal("{redis.connectionString}", Manifest.Env("gateway", "ConnectionStrings__redis"));
        Assert.Equal("{api.bindings.http.url}", Manifest.Env("gateway", "services__api__http__0"));
        Assert.Equal("{identity.bindings.http.url}", Manifest.Env("gateway", "services__identity__http__0"));
    }

    [Fact]
    public void PublishedProjectsTrustForwardedHeadersOnlyAsServiceDefaultsConfigures()
    {
        // Aspire switches on the framework's forwarded-headers middleware for published projects; ServiceDefaults
        // replaces its trust list with ForwardedHeaders:KnownProxies/KnownNetworks, which docs/deploy.md asks
        // the operator to set. If Aspire stops doing this, that page must change.
        foreach (var service in Services)
        {
            Assert.Equal("true", Manifest.Env(service, "ASPNETCORE_FORWARDEDHEADERS_ENABLED"));
        }
    }

    [Fact]
    public async Task TheReplicaCountIsConfigurable()
    {
        var manifest = await PublishManifest.GenerateAsync(["--Scale:GatewayReplicas=3"], TestContext.Current.CancellationToken);

        Assert.Equal("3", manifest.Env("gateway", "RateLimiting__ExpectedReplicas"));
    }

    private JsonElement Binding(string resource, string name) =>
        Manifest.Resource(resource).GetProperty("bindings").GetProperty(name);

    // ProjectPath is the AppHost's folder.
    private static string RepositoryRoot =>
        Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(Projects.SecureStack_AppHost.ProjectPath))!;

    private static IEnumerable<string> PersistedParameterValues()
    {
        var secrets = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData),
            "Microsoft", "UserSecrets", "822255f9-19f6-494f-b49b-82c5e472e2a0", "secrets.json");
        if (!File.Exists(secrets))
        {
            return [];
        }

        using var document = JsonDocument.Parse(File.ReadAllText(secrets));
        return document.RootElement.EnumerateObject()
            .Where(entry => entry.Name.StartsWith("Parameters:", StringComparison.Ordinal) && entry.Value.ValueKind == JsonValueKind.String)
            .Select(entry => entry.Value.GetString()!)
            .Where(value => value.Length >= 16)
            .ToList();
    }
}
