using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SecureStack.Api.Tests.Infrastructure;
using SecureStack.ServiceDefaults.Security;

namespace SecureStack.Api.Tests;

/// <summary>Missing or insecure token-validation settings stop the Api before it serves a request.</summary>
[Collection(SerialCollection.Name)]
public sealed class StartupTests
{
    [Fact]
    public async Task PlaintextMetadataStopsStartUpOutsideDevelopment()
    {
        var exception = await StartAsync(Environments.Production, new()
        {
            ["Authentication:Jwt:Authority"] = "http://identity",
            ["Authentication:Jwt:RequireHttpsMetadata"] = "false",
        });

        AssertMentions("Authentication:Jwt:Authority is 'http://identity'", exception);
        AssertMentions("Authentication:Jwt:RequireHttpsMetadata is false", exception);
    }

    [Fact]
    public async Task ServiceDiscoveryAddressThatMayFallBackToHttpStopsStartUpOutsideDevelopment()
    {
        var exception = await StartAsync(Environments.Production, new() { ["Authentication:Jwt:Authority"] = "https+http://identity" });

        AssertMentions("Authentication:Jwt:Authority is 'https+http://identity'", exception);
    }

    [Fact]
    public async Task MissingIssuerStopsStartUpOutsideDevelopment()
    {
        var exception = await StartAsync(Environments.Production, new() { ["Authentication:Jwt:Issuer"] = "" });

        AssertMentions("Authentication:Jwt:Issuer is not set", exception);
    }

    [Fact]
    public async Task MissingAuthorityStopsStartUp()
    {
        var exception = await StartAsync(Environments.Production, new() { ["Authentication:Jwt:Authority"] = "" });

        AssertMentions("Authority", exception);
    }

    [Fact]
    public async Task MissingRedisStopsStartUpOutsideDevelopment()
    {
        // Without the deny-list's Redis the Api would accept revoked tokens until they expire (F5).
        var exception = await StartAsync(Environments.Production, new() { [$"ConnectionStrings:{RedisExtensions.ConnectionName}"] = "" });

        AssertMentions("ConnectionStrings:redis is not set", exception);
    }

    [Fact]
    public async Task ClockSkewOverThirtySecondsStopsStartUp()
    {
        var exception = await StartAsync(Environments.Production, new() { ["Authentication:Jwt:ClockSkew"] = "00:05:00" });

        AssertMentions("ClockSkew", exception);
    }

    [Fact]
    public async Task JwksRefreshIntervalUnderThirtySecondsStopsStartUp()
    {
        var exception = await StartAsync(Environments.Production, new() { ["Authentication:Jwt:JwksRefreshInterval"] = "00:00:01" });

        AssertMentions("JwksRefreshInterval", exception);
    }

    [Theory]
    [InlineData("lifetime")]
    [InlineData("skew")]
    [InlineData("algorithm")]
    public async Task CodeThatLoosensTokenValidationStopsStartUpOutsideDevelopment(string loosened)
    {
        await using var factory = new ApiFactory();
        await using var loose = factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
            services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, options =>
            {
                switch (loosened)
                {
                    case "lifetime":
                        options.TokenValidationParameters.ValidateLifetime = false;
                        break;
                    case "skew":
                        options.TokenValidationParameters.ClockSkew = TimeSpan.FromMinutes(5);
                        break;
                    default:
                        options.TokenValidationParameters.ValidAlgorithms = ["RS256", "HS256"];
                        break;
                }
            })));

        var exception = Assert.ThrowsAny<Exception>(() => loose.CreateClient());

        Assert.IsType<InsecureConfigurationException>(exception.GetBaseException());
    }

    [Fact]
    public async Task InsecureSettingsAreToleratedInDevelopmentOnly()
    {
        await using var factory = new ConfiguredApiFactory(Environments.Development, new Dictionary<string, string?>
        {
            ["Authentication:Jwt:Authority"] = "https+http://identity",
            ["Authentication:Jwt:Issuer"] = "",
        });
        using var client = factory.CreateClient((string?)null);

        var response = await client.GetAsync("/api/v1/ping", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(factory.Events.All, e => e.Name == "InsecureConfiguration" && e.Message.Contains("Issuer is not set", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WithoutAConfiguredIssuerTheDiscoveryDocumentsIssuerIsStillEnforced()
    {
        await using var factory = new ConfiguredApiFactory(Environments.Development, new Dictionary<string, string?>
        {
            ["Authentication:Jwt:Issuer"] = "",
        });
        using var valid = factory.CreateClient(new TokenSpec());
        using var forged = factory.CreateClient(new TokenSpec { Issuer = "https://evil.test" });

        var accepted = await valid.GetAsync(Routes.Notes, TestContext.Current.CancellationToken);
        var rejected = await forged.GetAsync(Routes.Notes, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, rejected.StatusCode);
    }

    [Fact]
    public async Task SecureSettingsStartOutsideDevelopment()
    {
        await using var factory = new ConfiguredApiFactory(Environments.Production, new Dictionary<string, string?>());
        using var client = factory.CreateClient((string?)null);

        var response = await client.GetAsync("/api/v1/ping", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(factory.Events.All, e => e.Name == "InsecureConfiguration");
    }

    private static void AssertMentions(string expected, string exception) =>
        Assert.True(exception.Contains(expected, StringComparison.Ordinal), $"Start-up failed without mentioning '{expected}':{Environment.NewLine}{exception}");

    /// <summary>
    /// Why start-up failed: the exception and what the host logged. WebApplicationFactory sometimes loses the
    /// host's exception to a race (its deferred host asks the already disposed provider for a service and throws
    /// ObjectDisposedException instead), but the host has logged the real one ("Hosting failed to start") first.
    /// </summary>
    private static async Task<string> StartAsync(string environment, Dictionary<string, string?> settings)
    {
        var log = new ConcurrentQueue<(EventId EventId, string Category, string Message)>();
        await using var configured = new ConfiguredApiFactory(environment, settings);
        await using var factory = configured.WithWebHostBuilder(builder =>
            builder.ConfigureLogging(logging => logging.AddProvider(new CapturingLoggerProvider(log))));
        var exception = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        var failure = string.Join(Environment.NewLine, [exception.ToString(), .. log.Select(entry => entry.Message)]);
        TestContext.Current.TestOutputHelper?.WriteLine(failure);
        return failure;
    }
}
