using System.Security.Cryptography;
using System.Text.Json;

namespace SecureStack.AppHost.Tests;

/// <summary>The publish manifest azd deploys from, generated once with known secret values supplied.</summary>
public class PublishManifestFixture : IAsyncLifetime
{
    /// <summary>Secrets azd generates once per environment (a <c>generate</c> default, no value).</summary>
    public virtual string[] GeneratedSecrets => ["redis-password", "service-client-secret"];

    /// <summary>Secrets the deployer supplies (no default: azd asks).</summary>
    public string[] SuppliedSecrets { get; } =
    [
        "identity-data-protection-certificate", "identity-data-protection-certificate-password",
        "identity-encryption-certificate", "identity-encryption-certificate-password",
        "identity-signing-certificate", "identity-signing-certificate-password",
    ];

    public virtual string[] Containers => ["redis"];

    /// <summary>Values a deployer would supply; none of them may be written into the manifest.</summary>
    public IReadOnlyDictionary<string, string> Secrets { get; private set; } = new Dictionary<string, string>();

    public Manifest Manifest { get; private set; } = null!;

    /// <summary>An empty image setting hides whatever eng/test.sh put in the environment: the upstream image is published.</summary>
    protected virtual string[] Arguments => ["--Containers:Redis:Image="];

    public async ValueTask InitializeAsync()
    {
        Secrets = GeneratedSecrets.Concat(SuppliedSecrets).Append("demo-user-password").ToDictionary(name => name, _ => NewSecret());
        Manifest = await PublishManifest.GenerateAsync(
            [.. Arguments, .. Secrets.Select(secret => $"--Parameters:{secret.Key}={secret.Value}")],
            TestContext.Current.CancellationToken);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static string NewSecret() => "Secret-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(20));
}

public class PublishManifestTests(PublishManifestFixture fixture) : IClassFixture<PublishManifestFixture>
{
    private static readonly string[] Services = ["identity", "api", "gateway"];

    protected Manifest Manifest => fixture.Manifest;

    [Fact]
    public void EveryServiceAndItsParametersArePublished()
    {
        Assert.Equal(fixture.Containers, Manifest.NamesOfType("container.v0").Order());
        Assert.Equal(["api", "gateway", "identity"], Manifest.NamesOfType("project.v0").Order());
        Assert.Equal(
            fixture.GeneratedSecrets.Concat(fixture.SuppliedSecrets).Append("ingress-network").Append("gateway-public-hosts").Order(StringComparer.Ordinal),
            Manifest.NamesOfType("parameter.v0").Order(StringComparer.Ordinal));
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
    public void EveryServiceHasAnHttpAndAnHttpsBindingAndAnInternalManagementBindingForItsProbes()
    {
        foreach (var service in Services)
        {
            Assert.Equal("http", Binding(service, "http").GetProperty("scheme").GetString());
            Assert.Equal("https", Binding(service, "https").GetProperty("scheme").GetString());
            var management = Binding(service, "management");
            Assert.Equal("http", management.GetProperty("scheme").GetString());
            Assert.Equal(8081, management.GetProperty("targetPort").GetInt32());
            Assert.False(management.TryGetProperty("external", out var external) && external.GetBoolean(), $"{service}'s management binding is external");
            Assert.Equal("{" + service + ".bindings.http.targetPort};{" + service + ".bindings.management.targetPort}", Manifest.Env(service, "HTTP_PORTS"));
            Assert.Equal("{" + service + ".bindings.management.targetPort}", Manifest.Env(service, "Health__Port"));
        }
    }

    [Fact]
    public void TheGatewayAnswersOnlyToThePublicHostNamesTheDeployerGives()
    {
        Assert.Equal("{gateway-public-hosts.value}", Manifest.Env("gateway", "AllowedHosts"));
        Assert.False(Manifest.Resource("gateway-public-hosts").GetProperty("inputs").GetProperty("value").TryGetProperty("default", out _));
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
        foreach (var name in fixture.GeneratedSecrets.Concat(fixture.SuppliedSecrets))
        {
            var parameter = Manifest.Resource(name);
            var input = parameter.GetProperty("inputs").GetProperty("value");

            Assert.True(input.GetProperty("secret").GetBoolean(), $"{name} is not secret");
            Assert.False(input.TryGetProperty("value", out _), $"{name} carries a value");
            Assert.Equal("{" + name + ".inputs.value}", parameter.GetProperty("value").GetString());
            if (fixture.GeneratedSecrets.Contains(name))
            {
                // azd generates it once per environment; nothing literal is published.
                var generate = input.GetProperty("default").GetProperty("generate");
                Assert.True(generate.GetProperty("minLength").GetInt32() >= 22, name);
                Assert.Single(input.GetProperty("default").EnumerateObject());
            }
            else
            {
                // The deployer must supply it: azd asks.
                Assert.False(input.TryGetProperty("default", out _), $"{name} has a default");
            }
        }
    }

    [Fact]
    public void EveryParameterOtherThanTheIngressNetworkAndThePublicHostNamesIsSecret()
    {
        var notSecret = Manifest.NamesOfType("parameter.v0").Where(name =>
            !(Manifest.Resource(name).GetProperty("inputs").GetProperty("value").TryGetProperty("secret", out var secret) && secret.GetBoolean()));

        Assert.Equal(["gateway-public-hosts", "ingress-network"], notSecret.Order(StringComparer.Ordinal));
        Assert.False(Manifest.Resource("ingress-network").GetProperty("inputs").GetProperty("value").TryGetProperty("default", out _));
    }

    [Fact]
    public void RedisStartsWithAMemoryLimitThatEvictsOnlyKeysWithATimeToLive()
    {
        var redis = Manifest.Resource("redis");
        string[] args = [.. redis.GetProperty("args").EnumerateArray().Select(argument => argument.GetString()!)];

        // Published, the integration starts Redis through "sh -c" with one command line: the limit must be in it.
        Assert.Equal("/bin/sh", redis.GetProperty("entrypoint").GetString());
        Assert.Equal(2, args.Length);
        Assert.Equal("-c", args[0]);
        Assert.Matches(@"^redis-server --requirepass \$REDIS_PASSWORD --maxmemory 128mb --maxmemory-policy volatile-lru$", args[1]);
    }

    [Fact]
    public void SecretsReachTheServicesOnlyAsParameterReferences()
    {
        Assert.Equal("{service-client-secret.value}", Manifest.Env("identity", "Identity__Clients__securestack-service__ClientSecret"));
        Assert.Equal("{identity-signing-certificate.value}", Manifest.Env("identity", "Identity__Keys__SigningCertificates__0__Base64"));
        Assert.Equal("{identity-signing-certificate-password.value}", Manifest.Env("identity", "Identity__Keys__SigningCertificates__0__Password"));
        Assert.Equal("{identity-encryption-certificate.value}", Manifest.Env("identity", "Identity__Keys__EncryptionCertificates__0__Base64"));
        Assert.Equal("{identity-encryption-certificate-password.value}", Manifest.Env("identity", "Identity__Keys__EncryptionCertificates__0__Password"));
        Assert.Equal("{identity-data-protection-certificate.value}", Manifest.Env("identity", "DataProtection__Certificates__0__Base64"));
        Assert.Equal("{identity-data-protection-certificate-password.value}", Manifest.Env("identity", "DataProtection__Certificates__0__Password"));
        Assert.Equal("{redis-password.value}", Manifest.Env("gateway", "REDIS_PASSWORD"));
        // The Api replicates the revocation deny-list, so it holds the Redis password too, as a reference.
        Assert.Equal("{redis-password.value}", Manifest.Env("api", "REDIS_PASSWORD"));
        // Only Identity holds the client secret and the keys; the Api holds no other secret.
        Assert.Null(Manifest.Env("gateway", "Identity__Clients__securestack-service__ClientSecret"));
        Assert.DoesNotContain(Manifest.Resource("api").GetProperty("env").EnumerateObject(), variable =>
        {
            var value = variable.Value.GetString()!
                .Replace("{redis-password.value}", string.Empty, StringComparison.Ordinal)
                .Replace("{redis-password-uri-encoded.value}", string.Empty, StringComparison.Ordinal);
            return value.Contains("password", StringComparison.OrdinalIgnoreCase)
                || value.Contains("secret", StringComparison.OrdinalIgnoreCase)
                || value.Contains("certificate", StringComparison.OrdinalIgnoreCase);
        });
    }

    [Fact]
    public void EveryServiceTrustsOnlyTheIngressItIsToldAbout()
    {
        foreach (var service in Services)
        {
            Assert.Equal("true", Manifest.Env(service, "Https__TerminatedByProxy"));
            Assert.Equal("{ingress-network.value}", Manifest.Env(service, "ForwardedHeaders__KnownNetworks__0"));
        }

        Assert.Equal("{ingress-network.value}", Manifest.Env("gateway", "RateLimiting__TrustedProxies__0"));
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

    protected JsonElement Binding(string resource, string name) =>
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
