using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using SecureStack.Api;
using SecureStack.Gateway;
using SecureStack.Identity;

namespace SecureStack.Reliability.Tests.Infrastructure;

/// <summary>
/// The whole stack as separate hosts a test can stop and restart one by one: the real Identity (SQLite file and
/// keys in a temporary folder, signing certificates supplied as a deployment supplies them), the real Api (SQLite
/// file) and the real Gateway, each on its own loopback port, all on one real Redis. Tokens are Identity's, fetched
/// through the Gateway as a client would.
/// </summary>
public sealed class FaultStack : IAsyncDisposable
{
    public const string PublicIssuer = "https://securestack.test/";
    public const string Audience = "securestack-api";
    public const string DemoClient = "securestack-demo";
    public const string DemoUser = "demo@securestack.local";
    public const string ServiceClient = "securestack-service";

    /// <summary>How often the Gateway and Api fetch Identity's keys in these tests (production: minutes).</summary>
    public static readonly TimeSpan KeyRefreshInterval = TimeSpan.FromSeconds(2);

    /// <summary>The route timeout the Gateway applies in these tests (production: 30 s).</summary>
    public static readonly TimeSpan RouteTimeout = TimeSpan.FromSeconds(3);

    private readonly string _redis;
    private readonly string _dataPath = Directory.CreateTempSubdirectory("securestack-reliability-").FullName;
    private readonly int _identityPort = FreePort();
    private readonly int _gatewayPort = FreePort();
    private readonly int[] _apiPorts;
    private readonly IDictionary<string, string?> _gatewaySettings;
    private readonly Action<IServiceCollection>? _apiServices;
    private readonly List<ServiceHost<ApiEntryPoint>?> _apis;

    private FaultStack(string redis, int apiReplicas, IDictionary<string, string?>? gatewaySettings, Action<IServiceCollection>? apiServices)
    {
        _redis = redis;
        _apiPorts = [.. Enumerable.Range(0, apiReplicas).Select(_ => FreePort())];
        _apis = [.. _apiPorts.Select(_ => (ServiceHost<ApiEntryPoint>?)null)];
        _gatewaySettings = gatewaySettings ?? new Dictionary<string, string?>();
        _apiServices = apiServices;
        var now = DateTimeOffset.UtcNow;
        SigningKey = TestCertificates.Create("reliability signing 1", now.AddDays(-1), now.AddDays(30)).Base64;
        EncryptionKey = TestCertificates.Create("reliability encryption", now.AddDays(-1), now.AddDays(30)).Base64;
        SigningKeys = [SigningKey];
    }

    public string ServiceClientSecret { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));

    public string DemoPassword { get; } = "Demo-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(12));

    /// <summary>The certificate Identity signs with from the start (PKCS#12, base64).</summary>
    public string SigningKey { get; }

    private string EncryptionKey { get; }

    /// <summary>The signing certificates Identity is (re)started with, in configuration order.</summary>
    public IReadOnlyList<string> SigningKeys { get; set; }

    public ServiceHost<IdentityEntryPoint>? Identity { get; private set; }

    public ServiceHost<ApiEntryPoint> Api => ApiReplica(0);

    public ServiceHost<ApiEntryPoint> ApiReplica(int replica) => _apis[replica] ?? throw new InvalidOperationException($"Api replica {replica} is stopped.");

    public ServiceHost<GatewayEntryPoint>? Gateway { get; private set; }

    /// <summary>A client of the Gateway: the only door a caller has.</summary>
    public HttpClient Client { get; private set; } = null!;

    public Uri IdentityAddress => new($"http://127.0.0.1:{_identityPort}/");

    /// <summary>The ports of the services behind the Gateway: nothing a client sees may name them.</summary>
    public IEnumerable<int> InternalPorts => [_identityPort, .. _apiPorts];

    public static async Task<FaultStack> StartAsync(
        string redis,
        bool startIdentity = true,
        int apiReplicas = 1,
        IDictionary<string, string?>? gatewaySettings = null,
        Action<IServiceCollection>? apiServices = null)
    {
        var stack = new FaultStack(redis, apiReplicas, gatewaySettings, apiServices);
        // One host at a time: WebApplicationFactory finds its host by watching hosts being built.
        if (startIdentity)
        {
            stack.StartIdentity();
        }

        for (var replica = 0; replica < apiReplicas; replica++)
        {
            stack.StartApi(replica);
        }

        stack.StartGateway();
        return stack;
    }

    public void StartIdentity()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Identity:Issuer"] = PublicIssuer,
            ["Identity:DataPath"] = Path.Combine(_dataPath, "identity"),
            ["Identity:AccessTokenLifetime"] = "00:05:00",
            [$"Identity:Clients:{ServiceClient}:ClientSecret"] = ServiceClientSecret,
            ["Identity:DemoUser:Password"] = DemoPassword,
            ["Identity:Keys:EncryptionCertificates:0:Base64"] = EncryptionKey,
            ["Identity:Keys:EncryptionCertificates:0:Password"] = TestCertificates.Password,
            ["ConnectionStrings:redis"] = _redis,
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Warning",
        };
        for (var i = 0; i < SigningKeys.Count; i++)
        {
            settings[$"Identity:Keys:SigningCertificates:{i}:Base64"] = SigningKeys[i];
            settings[$"Identity:Keys:SigningCertificates:{i}:Password"] = TestCertificates.Password;
        }

        Identity = Start(new ServiceHost<IdentityEntryPoint>(_identityPort, settings));
    }

    public async Task StopIdentityAsync()
    {
        if (Identity is not null)
        {
            await Identity.DisposeAsync();
            Identity = null;
            SqliteConnection.ClearAllPools();
        }
    }

    public async Task RestartIdentityAsync()
    {
        await StopIdentityAsync();
        StartIdentity();
    }

    public void StartApi(int replica = 0)
    {
        var settings = new Dictionary<string, string?>(TokenValidationSettings())
        {
            ["ConnectionStrings:notes"] = $"Data Source={Path.Combine(_dataPath, "notes.db")}",
        };
        _apis[replica] = Start(new ServiceHost<ApiEntryPoint>(_apiPorts[replica], settings, _apiServices));
    }

    public async Task StopApiAsync(int replica = 0)
    {
        if (_apis[replica] is { } api)
        {
            await api.DisposeAsync();
            _apis[replica] = null;
            SqliteConnection.ClearAllPools();
        }
    }

    public void StartGateway()
    {
        var settings = new Dictionary<string, string?>(TokenValidationSettings())
        {
            ["ConnectionStrings:redis"] = _redis,
            ["RateLimiting:KeyPrefix"] = $"reliability:{Guid.NewGuid():N}",
            // The suite counts outcomes, not limits: limits high enough that its own traffic is never refused
            // (the Redis fault tests set theirs).
            ["RateLimiting:Policies:per-ip:PermitLimit"] = "100000",
            ["RateLimiting:Policies:per-user:PermitLimit"] = "100000",
            ["RateLimiting:Policies:token:PermitLimit"] = "100000",
            ["RateLimiting:Policies:token-ip:PermitLimit"] = "100000",
            ["RateLimiting:Policies:token-account:PermitLimit"] = "100000",
            ["RateLimiting:Policies:register:PermitLimit"] = "100000",
            ["RateLimiting:DecisionBudgetMilliseconds"] = "1000",
            ["Forwarding:TimeoutPolicies:backend"] = RouteTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            ["ReverseProxy:Clusters:identity:Destinations:identity:Address"] = IdentityAddress.ToString(),
        };
        for (var replica = 0; replica < _apiPorts.Length; replica++)
        {
            settings[$"ReverseProxy:Clusters:api:Destinations:api{(replica == 0 ? string.Empty : replica)}:Address"] = $"http://127.0.0.1:{_apiPorts[replica]}/";
        }

        foreach (var (key, value) in _gatewaySettings)
        {
            settings[key] = value;
        }

        Gateway = Start(new ServiceHost<GatewayEntryPoint>(_gatewayPort, settings));
        Client = Gateway.CreateHttpClient();
    }

    public async Task RestartGatewayAsync()
    {
        Client.Dispose();
        await Gateway!.DisposeAsync();
        StartGateway();
    }

    /// <summary>A password-grant token response for <paramref name="userName"/>, through the Gateway.</summary>
    public async Task<JsonElement> LoginAsync(string userName, string password, string scope = "openid offline_access api.read api.write")
    {
        using var response = await PostTokenAsync(new()
        {
            ["grant_type"] = "password",
            ["client_id"] = DemoClient,
            ["username"] = userName,
            ["password"] = password,
            ["scope"] = scope,
        });
        return await ReadTokenResponseAsync(response);
    }

    public Task<JsonElement> LoginDemoUserAsync() => LoginAsync(DemoUser, DemoPassword);

    public async Task<JsonElement> ServiceTokenAsync()
    {
        using var response = await PostTokenAsync(new()
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = ServiceClient,
            ["client_secret"] = ServiceClientSecret,
            ["scope"] = "api.read api.write",
        });
        return await ReadTokenResponseAsync(response);
    }

    public Task<HttpResponseMessage> PostTokenAsync(Dictionary<string, string> form) =>
        Client.PostAsync("/connect/token", new FormUrlEncodedContent(form), TestContext.Current.CancellationToken);

    /// <summary>Registers a new account through the Gateway and returns its credentials.</summary>
    public async Task<(string Email, string Password)> RegisterAsync()
    {
        var email = $"user-{Guid.NewGuid():N}@example.test";
        var password = "Pw-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
        using var response = await Client.PostAsJsonAsync("/account/register", new { email, password }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (email, password);
    }

    public HttpRequestMessage Request(HttpMethod method, string path, string? accessToken, object? json = null, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (accessToken is not null)
        {
            request.Headers.Authorization = new("Bearer", accessToken);
        }

        if (json is not null)
        {
            request.Content = JsonContent.Create(json);
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return request;
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? accessToken, object? json = null, string? ifMatch = null)
    {
        using var request = Request(method, path, accessToken, json, ifMatch);
        return await Client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (Gateway is not null)
        {
            await Gateway.DisposeAsync();
        }

        for (var replica = 0; replica < _apis.Count; replica++)
        {
            await StopApiAsync(replica);
        }

        await StopIdentityAsync();
        try
        {
            Directory.Delete(_dataPath, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public static string AccessToken(JsonElement tokenResponse) => tokenResponse.GetProperty("access_token").GetString()!;

    private static async Task<JsonElement> ReadTokenResponseAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"token endpoint answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private Dictionary<string, string?> TokenValidationSettings() => new()
    {
        ["Authentication:Jwt:Authority"] = IdentityAddress.ToString().TrimEnd('/'),
        ["Authentication:Jwt:Issuer"] = PublicIssuer,
        ["Authentication:Jwt:Audience"] = Audience,
        ["Authentication:Jwt:JwksAutomaticRefreshInterval"] = KeyRefreshInterval.ToString(),
    };

    private static ServiceHost<T> Start<T>(ServiceHost<T> host)
        where T : class
    {
        host.StartServer();
        return host;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
