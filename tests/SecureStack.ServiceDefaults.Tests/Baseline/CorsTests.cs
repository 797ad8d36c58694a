using System.Net;
using Microsoft.Extensions.Hosting;
using SecureStack.ServiceDefaults.Security;

namespace SecureStack.ServiceDefaults.Tests.Baseline;

public sealed class CorsTests
{
    private const string Allowed = "https://app.example.com";

    private static readonly Dictionary<string, string?> OneOrigin = new()
    {
        ["Cors:AllowedOrigins:0"] = Allowed,
        ["Cors:MaxAgeSeconds"] = "300",
    };

    [Fact]
    public async Task AnAllowedOriginIsAnswered()
    {
        await using var app = await BaselineApp.StartAsync(Environments.Production, OneOrigin);
        using var client = app.CreateClient();

        using var response = await client.SendAsync(WithOrigin(HttpMethod.Get, Allowed), TestContext.Current.CancellationToken);

        Assert.Equal(Allowed, SecurityHeadersTests.Header(response, "Access-Control-Allow-Origin"));
        Assert.False(response.Headers.Contains("Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task AnUnknownOriginGetsNoAllowOriginAndIsLogged()
    {
        await using var app = await BaselineApp.StartAsync(Environments.Production, OneOrigin);
        using var client = app.CreateClient();

        using var response = await client.SendAsync(WithOrigin(HttpMethod.Get, "https://evil.example.net"), TestContext.Current.CancellationToken);

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.Contains(app.Logs.GetSnapshot(), record => record.Id == SecurityEvents.Ids.CorsRejected);
    }

    [Fact]
    public async Task APreflightIsAnsweredWithTheConfiguredPolicy()
    {
        await using var app = await BaselineApp.StartAsync(Environments.Production, OneOrigin);
        using var client = app.CreateClient();
        var preflight = WithOrigin(HttpMethod.Options, Allowed);
        preflight.Headers.Add("Access-Control-Request-Method", "PUT");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");

        using var response = await client.SendAsync(preflight, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(Allowed, SecurityHeadersTests.Header(response, "Access-Control-Allow-Origin"));
        Assert.Contains("PUT", SecurityHeadersTests.Header(response, "Access-Control-Allow-Methods"));
        Assert.Equal("300", SecurityHeadersTests.Header(response, "Access-Control-Max-Age"));
    }

    [Fact]
    public async Task APreflightForAMethodOutsideThePolicyIsNotAllowed()
    {
        await using var app = await BaselineApp.StartAsync(Environments.Production, new Dictionary<string, string?>(OneOrigin)
        {
            ["Cors:AllowedMethods:0"] = "GET",
        });
        using var client = app.CreateClient();
        var preflight = WithOrigin(HttpMethod.Options, Allowed);
        preflight.Headers.Add("Access-Control-Request-Method", "DELETE");

        using var response = await client.SendAsync(preflight, TestContext.Current.CancellationToken);

        Assert.False(response.Headers.Contains("Access-Control-Allow-Methods")
            && SecurityHeadersTests.Header(response, "Access-Control-Allow-Methods").Contains("DELETE", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WithoutConfiguredOriginsNoOriginIsAllowed()
    {
        await using var app = await BaselineApp.StartAsync(Environments.Production);
        using var client = app.CreateClient();

        using var response = await client.SendAsync(WithOrigin(HttpMethod.Get, Allowed), TestContext.Current.CancellationToken);

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Theory]
    [InlineData("Development")]
    [InlineData("Production")]
    public async Task AWildcardOriginWithCredentialsNeverStarts(string environment)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => BaselineApp.StartAsync(environment, new Dictionary<string, string?>
        {
            ["Cors:AllowedOrigins:0"] = "*",
            ["Cors:AllowCredentials"] = "true",
        }));

        Assert.Contains("Cors:AllowCredentials", error.Message);
    }

    [Fact]
    public async Task AnOriginWithAPathIsRefusedAtStartUp()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => BaselineApp.StartAsync(Environments.Production, new Dictionary<string, string?>
        {
            ["Cors:AllowedOrigins:0"] = "https://app.example.com/path",
        }));

        Assert.Contains("is not an origin", error.Message);
    }

    private static HttpRequestMessage WithOrigin(HttpMethod method, string origin)
    {
        var request = new HttpRequestMessage(method, "/ok");
        request.Headers.Add("Origin", origin);
        return request;
    }
}
