using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SecureStack.Identity;

namespace SecureStack.Identity.Tests.Infrastructure;

/// <summary>
/// The real Identity service on a TestServer with its own temporary data folder (SQLite file, generated keys).
/// Only configuration is swapped: secrets come in as in-memory settings, as the AppHost would pass them.
/// </summary>
public class IdentityServerFactory : WebApplicationFactory<IdentityEntryPoint>, IAsyncLifetime
{
    public const string Issuer = "http://localhost/";
    public const string ServiceClientId = "securestack-service";
    public const string ServiceClientSecret = "service-secret-for-tests-only-0123456789";
    public const string ResourceServerClientId = "securestack-api";
    public const string ResourceServerSecret = "resource-server-secret-for-tests-0123456789";
    public const string WebClientId = "securestack-web";
    public const string WebRedirectUri = "http://localhost/callback";
    public const string CliClientId = "securestack-cli";
    public const string DemoClientId = "securestack-demo";
    public const string DemoUserName = "demo@securestack.local";
    public const string DemoPassword = "demo-password-from-a-parameter";

    private readonly string _environment;
    private readonly Dictionary<string, string?> _settings;
    private readonly bool _ownsDataPath;
    private readonly ConcurrentQueue<Exception> _loggedExceptions = new();

    public IdentityServerFactory()
        : this(dataPath: null, environment: "Development", overrides: null)
    {
    }

    internal IdentityServerFactory(string? dataPath, string environment, IDictionary<string, string?>? overrides)
    {
        _ownsDataPath = dataPath is null;
        DataPath = dataPath ?? NewDataPath();
        _environment = environment;
        _settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Warning",
            ["Identity:Issuer"] = Issuer,
            ["Identity:DataPath"] = DataPath,
            [$"Identity:Clients:{ServiceClientId}:ClientSecret"] = ServiceClientSecret,
            [$"Identity:Clients:{ServiceClientId}:Roles:0"] = "service",
            [$"Identity:Clients:{ResourceServerClientId}:ClientType"] = "confidential",
            [$"Identity:Clients:{ResourceServerClientId}:ClientSecret"] = ResourceServerSecret,
            [$"Identity:Clients:{ResourceServerClientId}:AllowIntrospection"] = "true",
            [$"Identity:Clients:{WebClientId}:ClientType"] = "public",
            [$"Identity:Clients:{WebClientId}:GrantTypes:0"] = "authorization_code",
            [$"Identity:Clients:{WebClientId}:GrantTypes:1"] = "refresh_token",
            [$"Identity:Clients:{WebClientId}:RedirectUris:0"] = WebRedirectUri,
            [$"Identity:Clients:{WebClientId}:Scopes:0"] = "openid",
            [$"Identity:Clients:{WebClientId}:Scopes:1"] = "profile",
            [$"Identity:Clients:{WebClientId}:Scopes:2"] = "roles",
            [$"Identity:Clients:{WebClientId}:Scopes:3"] = "offline_access",
            [$"Identity:Clients:{WebClientId}:Scopes:4"] = "api.read",
            [$"Identity:Clients:{WebClientId}:Scopes:5"] = "api.write",
            ["Identity:DemoUser:Password"] = DemoPassword,
        };

        // Outside Development Identity refuses to start without the Redis it publishes revocations to: give it a
        // real one, as the AppHost would (a test that wants none sets the connection string to null).
        if (environment != Environments.Development)
        {
            _settings[$"ConnectionStrings:{RedisExtensions.ConnectionName}"] = AssemblyRedis.ConnectionString;
        }

        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }
    }

    public string DataPath { get; }

    public ConcurrentQueue<(EventId EventId, string Category, string Message)> Logs { get; } = new();

    public static string NewDataPath() =>
        Directory.CreateTempSubdirectory("securestack-identity-tests-").FullName;

    /// <summary>
    /// Starts the server up front: WebApplicationFactory otherwise starts it on first use, and a test that builds
    /// another host (the resource server) at that moment could have its host captured instead.
    /// </summary>
    public ValueTask InitializeAsync()
    {
        StartServer();
        return ValueTask.CompletedTask;
    }

    public HttpClient CreateBrowser() =>
        CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    public int CountEvents(int eventId) => Logs.Count(entry => entry.EventId.Id == eventId);

    /// <summary>
    /// Starts the server expecting start-up to fail with <typeparamref name="TException"/>, and returns it.
    /// WebApplicationFactory can lose the host's exception to a race (its deferred host asks the already disposed
    /// provider for a service and throws ObjectDisposedException instead); the host has logged the real one first.
    /// </summary>
    public TException StartupFailure<TException>()
        where TException : Exception
    {
        var thrown = Assert.ThrowsAny<Exception>(StartServer);
        if (thrown is ObjectDisposedException && _loggedExceptions.OfType<TException>().FirstOrDefault() is { } logged)
        {
            return logged;
        }

        return Assert.IsType<TException>(thrown);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(_environment);
        builder.ConfigureAppConfiguration((_, configuration) => configuration.AddInMemoryCollection(_settings));

        // The provider, the key-ring certificates and the Redis connection string are read while services are registered, before the
        // configuration above is applied; host settings are there from the start.
        foreach (var (key, value) in _settings.Where(pair => pair.Value is not null && ReadAtRegistration(pair.Key)))
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.AddProvider(new CapturingLoggerProvider(Logs, _loggedExceptions)));
    }

    private static bool ReadAtRegistration(string key) =>
        key.StartsWith("Database:", StringComparison.OrdinalIgnoreCase) || key.StartsWith("DataProtection:", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith("ConnectionStrings:", StringComparison.OrdinalIgnoreCase);

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();

        // SQLite pools connections and keeps the file open; release it before deleting the folder.
        SqliteConnection.ClearAllPools();
        if (_ownsDataPath)
        {
            TryDelete(DataPath);
        }
    }

    public static void TryDelete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
