using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SecureStack.Api;

namespace SecureStack.Security.Tests.Owasp;

/// <summary>
/// API10:2023 Unsafe Consumption of APIs: the one third-party answer every request depends on is the token
/// server's metadata (discovery and JWKS). When it is malformed, oversized, empty, lying or slow, validation
/// fails closed within seconds, never open and never a 500: a key set that lies (an attacker's key) is a 401; no
/// usable key set at all is a 503 with Retry-After (the token cannot be checked yet, see docs/reliability.md). The running AppHost's
/// Identity cannot be made hostile, so this is the real Api (Production settings) with its metadata client
/// pointed at a hostile server; the token is otherwise perfect.
/// </summary>
public sealed class Api10UnsafeConsumptionTests
{
    /// <summary>How long a request waits for the first key set (5 s), plus start-up slack.</summary>
    private static readonly TimeSpan FailClosedWithin = TimeSpan.FromSeconds(20);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(HostileMetadata.Mode.Honest, HttpStatusCode.OK)]
    [InlineData(HostileMetadata.Mode.MalformedJwks, HttpStatusCode.ServiceUnavailable)]
    [InlineData(HostileMetadata.Mode.EmptyJwks, HttpStatusCode.ServiceUnavailable)]
    [InlineData(HostileMetadata.Mode.OversizedJwks, HttpStatusCode.ServiceUnavailable)]
    [InlineData(HostileMetadata.Mode.AttackerKeyInJwks, HttpStatusCode.Unauthorized)]
    [InlineData(HostileMetadata.Mode.MalformedDiscovery, HttpStatusCode.ServiceUnavailable)]
    [InlineData(HostileMetadata.Mode.JwksServerError, HttpStatusCode.ServiceUnavailable)]
    public async Task API10_AHostileJwksMakesValidationFailClosed(HostileMetadata.Mode mode, HttpStatusCode expected)
    {
        await using var api = new HostileMetadataApiFactory(mode);
        using var client = api.CreateClient(api.Issuer.CreateToken());

        using var response = await client.GetAsync("/api/v1/notes", Cancellation);

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task API10_ASlowJwksMakesValidationFailClosedWithinTheTimeout()
    {
        await using var api = new HostileMetadataApiFactory(HostileMetadata.Mode.Slow);
        using var client = api.CreateClient(api.Issuer.CreateToken());
        client.Timeout = TimeSpan.FromMinutes(2);
        var clock = Stopwatch.StartNew();

        using var response = await client.GetAsync("/api/v1/notes", Cancellation);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.True(clock.Elapsed < FailClosedWithin, $"took {clock.Elapsed}");
    }
}

/// <summary>Answers the Api's metadata requests like the test issuer, except for the one thing it breaks.</summary>
public sealed class HostileMetadata(TestIssuer issuer, HostileMetadata.Mode mode) : HttpMessageHandler
{
    public enum Mode { Honest, MalformedJwks, EmptyJwks, OversizedJwks, AttackerKeyInJwks, MalformedDiscovery, JwksServerError, Slow }

    private readonly HttpMessageInvoker _honest = new(issuer.CreateHandler());

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var isJwks = request.RequestUri!.AbsolutePath.EndsWith("/jwks", StringComparison.Ordinal);
        switch (mode)
        {
            case Mode.MalformedDiscovery when !isJwks:
                return Json("{\"issuer\": \"https://issuer.test\", \"jwks_uri\": ");
            case Mode.MalformedJwks when isJwks:
                return Json("{\"keys\": [{\"kty\": \"RSA\", \"n\": 42, \"e\": null}");
            case Mode.EmptyJwks when isJwks:
                return Json("{\"keys\": []}");
            case Mode.OversizedJwks when isJwks:
                return Json($"{{\"keys\": [], \"padding\": \"{new string('a', 4 * 1024 * 1024)}\"}}");
            case Mode.AttackerKeyInJwks when isJwks:
                using (var attacker = System.Security.Cryptography.RSA.Create(2048))
                {
                    var jwk = Forge.Jwk(attacker, issuer.SigningKey.KeyId);
                    jwk["alg"] = "RS256";
                    return Json($"{{\"keys\": [{jwk.ToJsonString()}]}}");
                }

            case Mode.JwksServerError when isJwks:
                return new HttpResponseMessage(HttpStatusCode.InternalServerError);
            case Mode.Slow when isJwks:
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
                break;
        }

        return await _honest.SendAsync(request, cancellationToken);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _honest.Dispose();
        }

        base.Dispose(disposing);
    }

    private static HttpResponseMessage Json(string body) =>
        new(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
}

/// <summary>The real Api in Production, with a temporary database and a hostile metadata server.</summary>
public sealed class HostileMetadataApiFactory(HostileMetadata.Mode mode) : WebApplicationFactory<ApiEntryPoint>
{
    private readonly string _databasePath = Path.Combine(Path.GetTempPath(), $"securestack-security-{Guid.NewGuid():N}.db");

    public TestIssuer Issuer { get; } = new();

    public HttpClient CreateClient(string token)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ClientOptions.BaseAddress = new Uri("https://localhost");
        builder.UseEnvironment(Environments.Production);
        builder.UseSetting("ConnectionStrings:notes", $"Data Source={_databasePath}");
        // Outside Development the Api refuses to start without the deny-list's Redis: a real one.
        builder.UseSetting($"ConnectionStrings:{RedisExtensions.ConnectionName}", AssemblyRedis.ConnectionString);
        builder.UseSetting("Authentication:Jwt:Authority", TestIssuer.Authority);
        builder.UseSetting("Authentication:Jwt:Issuer", TestIssuer.Issuer);
        builder.UseSetting("Authentication:Jwt:Audience", TestIssuer.Audience);
        builder.UseSetting("Https:TerminatedByProxy", "true");
        builder.UseSetting("ForwardedHeaders:KnownProxies:0", "10.0.0.1");
        builder.ConfigureTestServices(services =>
            services.AddHttpClient(SecureStackJwtBearerExtensions.MetadataHttpClientName)
                .ConfigurePrimaryHttpMessageHandler(() => new HostileMetadata(Issuer, mode)));
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
    }
}
