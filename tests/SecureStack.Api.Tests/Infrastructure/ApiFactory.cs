using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SecureStack.Api;

namespace SecureStack.Api.Tests.Infrastructure;

/// <summary>
/// The real Api, swapping only what must be swapped: a temporary SQLite file for the database, and the network
/// under the token-metadata HttpClient (answered by <see cref="TestIssuer"/>). It runs as Production by default,
/// so the hardened defaults (HTTPS metadata, fatal self-check findings) are the ones under test.
/// </summary>
public class ApiFactory : WebApplicationFactory<ApiEntryPoint>
{
    private readonly string _databasePath = Path.Combine(Path.GetTempPath(), $"securestack-api-tests-{Guid.NewGuid():N}.db");
    private readonly string? _environment;
    private readonly IReadOnlyDictionary<string, string?>? _settings;

    public ApiFactory()
    {
    }

    /// <summary>An Api in <paramref name="environment"/> with <paramref name="settings"/> over the defaults.</summary>
    protected ApiFactory(string environment, IReadOnlyDictionary<string, string?> settings)
    {
        _environment = environment;
        _settings = settings;
    }

    public TestIssuer Issuer { get; } = new();

    public SecurityEventLog Events { get; } = new();

    protected virtual string EnvironmentName => _environment ?? Environments.Production;

    private Dictionary<string, string?> Settings
    {
        get
        {
            var settings = new Dictionary<string, string?>
            {
                ["Authentication:Jwt:Authority"] = TestIssuer.Authority,
                ["Authentication:Jwt:Issuer"] = TestIssuer.Issuer,
                ["Authentication:Jwt:Audience"] = TestIssuer.Audience,
                // As deployed behind the Gateway: TLS ends at the trusted proxy in front (the test server has no TLS).
                ["Https:TerminatedByProxy"] = "true",
                ["ForwardedHeaders:KnownProxies:0"] = "10.0.0.1",
                [$"ConnectionStrings:{RedisExtensions.ConnectionName}"] = AssemblyRedis.ConnectionString,
            };
            foreach (var (key, value) in _settings ?? new Dictionary<string, string?>())
            {
                settings[key] = value;
            }

            return settings;
        }
    }

    /// <summary>A client sending <paramref name="token"/> as its bearer token (none when null).</summary>
    public HttpClient CreateClient(string? token) =>
        CreateDefaultClient(new BearerTokenHandler(token));

    public HttpClient CreateClient(TokenSpec spec) => CreateClient(Issuer.CreateToken(spec));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // Requests arrive as HTTPS, as they do from the Gateway; plain HTTP would be redirected outside Development.
        ClientOptions.BaseAddress = new Uri("https://localhost");
        builder.UseEnvironment(EnvironmentName);
        builder.UseSetting("ConnectionStrings:notes", $"Data Source={_databasePath}");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.AddProvider(Events));
        builder.ConfigureTestServices(services =>
            services.AddHttpClient(SecureStackJwtBearerExtensions.MetadataHttpClientName)
                .ConfigurePrimaryHttpMessageHandler(Issuer.CreateHandler));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Issuer.Dispose();
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-shm", "-wal" })
        {
            File.Delete(_databasePath + suffix);
        }

        GC.SuppressFinalize(this);
    }

    private sealed class BearerTokenHandler(string? token) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (token is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}

/// <summary>An Api with its own environment and settings, for start-up tests (an empty value unsets a default).</summary>
public sealed class ConfiguredApiFactory(string environment, IReadOnlyDictionary<string, string?> settings)
    : ApiFactory(environment, settings);

/// <summary>The Api in Development: OpenAPI document and Scalar reference mapped.</summary>
public sealed class DevelopmentApiFactory : ApiFactory
{
    protected override string EnvironmentName => Environments.Development;
}
