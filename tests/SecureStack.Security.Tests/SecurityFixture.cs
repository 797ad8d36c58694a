using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace SecureStack.Security.Tests;

/// <summary>
/// Boots the whole AppHost once for the suite, as deployed in Development (the only place the demo client and the
/// OpenAPI document exist), and hands out clients of the Gateway's HTTPS endpoint: the one door an attacker has.
/// Tokens are real, from Identity through the Gateway, and cached: the token endpoint allows 30 requests a minute
/// per address and the suite shares that budget with the brute-force test that exhausts a user's 10.
/// </summary>
public class SecurityFixture : IAsyncLifetime
{
    // Generous: in a full run several AppHosts, Testcontainers and test hosts share two cores.
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(6);
    public static readonly string[] Resources = ["redis", "identity", "api", "gateway"];

    public const string ApiAudience = "securestack-api";
    public const string DemoClient = "securestack-demo";
    public const string ServiceClient = "securestack-service";
    public const string DemoUser = "demo@securestack.local";

    private readonly ConcurrentDictionary<string, Lazy<Task<JsonElement>>> _tokens = new();
    private DistributedApplication? _app;

    public string ServiceClientSecret { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));

    public string DemoUserPassword { get; } = "Demo-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    /// <summary>
    /// Identity's signing certificate, supplied the way a deployment supplies one (Identity:Keys, from a secret).
    /// The suite holding the trusted key is what lets it forge tokens that are correctly signed and wrong in exactly
    /// one claim (expired, wrong audience ...): otherwise every such case would only prove the signature check.
    /// </summary>
    public X509Certificate2 SigningCertificate { get; } = SelfSigned("CN=SecureStack security suite signing");

    private X509Certificate2 EncryptionCertificate { get; } = SelfSigned("CN=SecureStack security suite encryption");

    private string CertificatePassword { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    /// <summary>A listener on loopback standing in for an attacker's server: nothing in the stack may call it.</summary>
    public AttackerServer Attacker { get; } = new();

    /// <summary>A unique prefix so users registered by one run never collide with another's.</summary>
    public string RunId { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant();

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The AppHost has not started.");

    public Uri GatewayAddress => App.GetEndpoint("gateway", "https");

    /// <summary>The issuer written into tokens: the Gateway's public origin.</summary>
    public string Issuer => GatewayAddress.ToString();

    public HttpClient CreateGatewayClient(string? bearerToken = null)
    {
        var client = new HttpClient(DevelopmentCertificate.CreateHandler())
        {
            BaseAddress = GatewayAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };
        if (bearerToken is not null)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", bearerToken);
        }

        return client;
    }

    /// <summary>The machine client (role service) with <paramref name="scope"/>.</summary>
    public async Task<string> ServiceTokenAsync(string scope = "api.read api.write") =>
        AccessToken(await TokenResponseAsync($"service:{scope}", new()
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = ServiceClient,
            ["client_secret"] = ServiceClientSecret,
            ["scope"] = scope,
        }));

    /// <summary>
    /// The demo user (role admin) with every scope, an ID token and a refresh token: one response serves the
    /// admin column of the function-level table and the "ID token as access token" attack.
    /// </summary>
    public Task<JsonElement> DemoUserTokenResponseAsync() =>
        TokenResponseAsync("demo", new()
        {
            ["grant_type"] = "password",
            ["client_id"] = DemoClient,
            ["username"] = DemoUser,
            ["password"] = DemoUserPassword,
            ["scope"] = "openid offline_access api.read api.write api.admin",
        });

    public async Task<string> DemoUserTokenAsync() => AccessToken(await DemoUserTokenResponseAsync());

    /// <summary>A self-registered user (no role) named <paramref name="name"/> for this run, with read and write.</summary>
    public async Task<string> UserTokenAsync(string name) =>
        AccessToken(await CachedAsync($"user:{name}", async () =>
        {
            var (email, password) = await RegisterUserAsync(name);
            return await RequestTokenAsync(PasswordGrant(email, password, "openid offline_access api.read api.write"));
        }));

    /// <summary>
    /// A correctly signed access token for <paramref name="subject"/>, otherwise the machine client's: a caller of
    /// its own for tests that exhaust a per-caller budget, without spending the token endpoint's.
    /// </summary>
    public async Task<string> TrustedTokenForAsync(string subject)
    {
        var (header, payload) = Forge.Decode(await ServiceTokenAsync());
        payload["sub"] = subject;
        payload["jti"] = Guid.NewGuid().ToString("N");
        using var key = SigningCertificate.GetRSAPrivateKey()!;
        return Forge.Rs256(header, payload, key);
    }

    /// <summary>Registers <c>name-runid@example.test</c> through the Gateway and returns its credentials.</summary>
    public async Task<(string Email, string Password)> RegisterUserAsync(string name)
    {
        var email = $"{name}-{RunId}@example.test";
        var password = "Pw-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
        using var gateway = CreateRegistrationClient();
        using var response = await gateway.PostAsJsonAsync("/account/register", new { email, password });
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Registering {email}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        return (email, password);
    }

    public static Dictionary<string, string> PasswordGrant(string userName, string password, string scope) => new()
    {
        ["grant_type"] = "password",
        ["client_id"] = DemoClient,
        ["username"] = userName,
        ["password"] = password,
        ["scope"] = scope,
    };

    /// <summary>POSTs a token request through the Gateway and fails loudly on anything but 200.</summary>
    public async Task<JsonElement> RequestTokenAsync(Dictionary<string, string> form)
    {
        using var gateway = CreateGatewayClient();
        using var response = await gateway.PostAsync("/connect/token", new FormUrlEncodedContent(form));
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Token request ({form["grant_type"]}): {(int)response.StatusCode} {body}");
        }

        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>The signing keys Identity publishes, as anyone can read them.</summary>
    public async Task<JsonElement> JwksAsync()
    {
        using var gateway = CreateGatewayClient();
        return await gateway.GetFromJsonAsync<JsonElement>("/.well-known/jwks");
    }

    public static string AccessToken(JsonElement response) =>
        response.GetProperty("access_token").GetString() ?? throw new InvalidOperationException("no access_token");

    private Task<JsonElement> TokenResponseAsync(string key, Dictionary<string, string> form) =>
        CachedAsync(key, () => RequestTokenAsync(form));

    private Task<JsonElement> CachedAsync(string key, Func<Task<JsonElement>> request) =>
        _tokens.GetOrAdd(key, _ => new Lazy<Task<JsonElement>>(request)).Value;

    /// <summary>AppHost arguments beyond the secrets; a derived fixture adds its own.</summary>
    protected virtual IEnumerable<string> AppHostArguments => [];

    /// <summary>Whether the budgets for Redis answers are widened (see <see cref="InitializeAsync"/>).</summary>
    protected virtual bool GenerousRedisBudgets => true;

    /// <summary>
    /// Whether every client reaches the Gateway as one address (through Aspire's proxy, 127.0.0.1). That one address
    /// registers all the suite's users, so its registration limit (5 an hour per address) is raised for this stack;
    /// a fixture whose clients have addresses of their own keeps the limit as deployed.
    /// </summary>
    protected virtual bool OneClientAddress => true;

    /// <summary>The client <see cref="RegisterUserAsync"/> registers through.</summary>
    protected virtual HttpClient CreateRegistrationClient() => CreateGatewayClient();

    /// <summary>Changes the model before it is built; a derived fixture reshapes the stack here.</summary>
    protected virtual void Configure(IDistributedApplicationTestingBuilder builder)
    {
    }

    public async ValueTask InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        Attacker.Start();

        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.SecureStack_AppHost>(
            [$"--Parameters:service-client-secret={ServiceClientSecret}", $"--Parameters:demo-user-password={DemoUserPassword}", .. AppHostArguments],
            (options, _) => options.DisableDashboard = true,
            timeout.Token);
        builder.WithIsolatedServiceData();

        var identity = builder.Resources.OfType<ProjectResource>().Single(resource => resource.Name == "identity");
        identity.Annotations.Add(new EnvironmentCallbackAnnotation(environment =>
        {
            environment["Identity__Keys__SigningCertificates__0__Base64"] = Pkcs12(SigningCertificate);
            environment["Identity__Keys__SigningCertificates__0__Password"] = CertificatePassword;
            environment["Identity__Keys__EncryptionCertificates__0__Base64"] = Pkcs12(EncryptionCertificate);
            environment["Identity__Keys__EncryptionCertificates__0__Password"] = CertificatePassword;
        }));

        // These tests prove that a revoked token is refused and that a caller is held to its limit, not how a slow
        // Redis is survived (the Gateway's RedisFaultTests): on a CI machine running several suites at once a Redis
        // answer can outlast the default budget, and the local fallback limiter would blur what is measured here.
        foreach (var service in builder.Resources.OfType<ProjectResource>().Where(resource => GenerousRedisBudgets && resource.Name is ("gateway" or "api")))
        {
            service.Annotations.Add(new EnvironmentCallbackAnnotation(environment =>
            {
                environment["RateLimiting__DecisionBudgetMilliseconds"] = "1000";
            }));
        }

        if (OneClientAddress)
        {
            builder.Resources.OfType<ProjectResource>().Single(resource => resource.Name == "gateway").Annotations.Add(
                new EnvironmentCallbackAnnotation(environment => environment["RateLimiting__Policies__register__PermitLimit"] = "1000"));
        }

        Configure(builder);
        _app = await builder.BuildAsync(timeout.Token);
        await _app.StartAsync(timeout.Token);

        foreach (var resource in Resources)
        {
            await _app.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
        }
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        Attacker.Dispose();
        SigningCertificate.Dispose();
        EncryptionCertificate.Dispose();
    }

    private string Pkcs12(X509Certificate2 certificate) =>
        Convert.ToBase64String(certificate.Export(X509ContentType.Pkcs12, CertificatePassword));

    private static X509Certificate2 SelfSigned(string subject)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: true));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
    }
}

[CollectionDefinition(Name)]
public sealed class SecurityCollection : ICollectionFixture<SecurityFixture>
{
    public const string Name = "security";
}
