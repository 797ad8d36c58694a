using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace SecureStack.ServiceDefaults.Tests.Baseline;

public sealed class SecurityHeadersTests
{
    public static readonly TheoryData<string, HttpStatusCode> Responses = new()
    {
        { "/ok", HttpStatusCode.OK },
        { "/status/401", HttpStatusCode.Unauthorized },
        { "/status/403", HttpStatusCode.Forbidden },
        { "/no-such-route", HttpStatusCode.NotFound },
        { "/status/429", HttpStatusCode.TooManyRequests },
        { "/throw", HttpStatusCode.InternalServerError },
    };

    [Theory]
    [MemberData(nameof(Responses))]
    public async Task EveryResponseCarriesTheApiSecurityHeaders(string path, HttpStatusCode expected)
    {
        await using var app = await BaselineApp.StartAsync(Environments.Production);
        using var client = app.CreateClient();

        using var response = await client.GetAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(expected, response.StatusCode);
        AssertApiHeaders(response, expectHsts: true);
    }

    [Fact]
    public async Task AMethodNotAllowedResponseCarriesTheHeadersToo()
    {
        await using var app = await BaselineApp.StartAsync(Environments.Production);
        using var client = app.CreateClient();

        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Trace, "/ok"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        AssertApiHeaders(response, expectHsts: true);
    }

    [Fact]
    public async Task HstsIsNotSentInDevelopment()
    {
        await using var app = await BaselineApp.StartAsync(Environments.Development);
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/ok", TestContext.Current.CancellationToken);

        AssertApiHeaders(response, expectHsts: false);
    }

    [Fact]
    public async Task AServerRenderedPageGetsItsOwnPolicy()
    {
        await using var app = await BaselineApp.StartAsync(Environments.Production, map: web =>
            web.MapGet("/page", () => Results.Content("<form method=post></form>", "text/html"))
                .WithSecurityHeadersPolicy(SecurityHeadersExtensions.HtmlPagePolicy).AllowAnonymous());
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/page", TestContext.Current.CancellationToken);

        var csp = Header(response, "Content-Security-Policy");
        Assert.Contains("style-src 'self'", csp);
        Assert.Contains("base-uri 'none'", csp);
        // Not form-action: it would block the redirect to an OAuth client's redirect_uri after login.
        Assert.DoesNotContain("form-action", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.DoesNotContain("script-src", csp);
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
    }

    private static void AssertApiHeaders(HttpResponseMessage response, bool expectHsts)
    {
        Assert.Equal("default-src 'none'; frame-ancestors 'none'", Header(response, "Content-Security-Policy"));
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
        Assert.Equal("no-referrer", Header(response, "Referrer-Policy"));
        Assert.Contains("camera=()", Header(response, "Permissions-Policy"));
        Assert.Contains("geolocation=()", Header(response, "Permissions-Policy"));
        Assert.Equal("no-store", Header(response, "Cache-Control"));
        Assert.Equal("same-origin", Header(response, "Cross-Origin-Opener-Policy"));
        Assert.Equal("same-origin", Header(response, "Cross-Origin-Resource-Policy"));
        Assert.False(response.Headers.Contains("Server"), "Server header present");
        Assert.False(response.Headers.Contains("X-Powered-By"), "X-Powered-By present");
        if (expectHsts)
        {
            Assert.Equal("max-age=31536000; includeSubDomains", Header(response, "Strict-Transport-Security"));
        }
        else
        {
            Assert.False(response.Headers.Contains("Strict-Transport-Security"), "HSTS sent in Development");
        }
    }

    internal static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : throw new Xunit.Sdk.XunitException($"Header {name} is missing on {(int)response.StatusCode}.");
}
