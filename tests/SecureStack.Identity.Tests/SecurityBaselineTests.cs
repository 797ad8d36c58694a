using System.Net;
using SecureStack.Identity.Tests.Infrastructure;
using SecureStack.Testing;

namespace SecureStack.Identity.Tests;

/// <summary>The ServiceDefaults baseline as Identity serves it; its pages keep their own CSP.</summary>
public sealed class SecurityBaselineTests(IdentityServerFactory factory)
{
    [Fact]
    public async Task DiscoveryCarriesTheApiHeaders()
    {
        using var response = await factory.CreateClient().GetAsync("/.well-known/openid-configuration", OAuth.Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        SecurityBaseline.AssertApiHeaders(response);
    }

    [Fact]
    public async Task AnUnknownPathAsksAnonymousCallersToSignInFirst()
    {
        // Identity's fallback policy wants a signed-in user before anything else, even a 404.
        using var client = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var response = await client.GetAsync("/connect/nothing-here", OAuth.Cancel);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/login", response.Headers.Location?.PathAndQuery, StringComparison.Ordinal);
        SecurityBaseline.AssertApiHeaders(response);
    }

    [Fact]
    public async Task TraceIs405()
    {
        using var response = await factory.CreateClient().SendAsync(new HttpRequestMessage(HttpMethod.Trace, "/connect/token"), OAuth.Cancel);

        await SecurityBaseline.AssertSafeProblemAsync(response, HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task TheLoginPageHasItsOwnPolicyAndTheCommonHeaders()
    {
        using var response = await factory.CreateClient().GetAsync("/account/login", OAuth.Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        SecurityBaseline.AssertCommonHeaders(response);
        var csp = string.Join(", ", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("style-src 'self'", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
    }
}
