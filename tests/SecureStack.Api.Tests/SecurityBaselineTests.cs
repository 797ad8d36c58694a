using System.Net;
using SecureStack.Api.Tests.Infrastructure;

namespace SecureStack.Api.Tests;

/// <summary>The ServiceDefaults baseline as the Api serves it: headers and safe errors on every status.</summary>
public sealed class SecurityBaselineTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ASuccessfulResponseCarriesTheApiHeaders()
    {
        using var client = factory.CreateClient(token: null);

        using var response = await client.GetAsync("/api/v1/ping", Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        SecurityBaseline.AssertApiHeaders(response);
    }

    [Fact]
    public async Task A401CarriesTheHeadersAndASafeProblem()
    {
        using var client = factory.CreateClient(token: null);

        using var response = await client.GetAsync("/api/v1/notes", Cancel);

        await SecurityBaseline.AssertSafeProblemAsync(response, HttpStatusCode.Unauthorized);
        SecurityBaseline.AssertApiHeaders(response);
    }

    [Fact]
    public async Task A403CarriesTheHeadersAndASafeProblem()
    {
        using var client = factory.CreateClient(new TokenSpec { Scopes = ["api.read"] });

        using var response = await client.GetAsync("/api/v1/admin/notes", Cancel);

        await SecurityBaseline.AssertSafeProblemAsync(response, HttpStatusCode.Forbidden);
        SecurityBaseline.AssertApiHeaders(response);
    }

    [Fact]
    public async Task A404CarriesTheHeadersAndASafeProblem()
    {
        using var client = factory.CreateClient(new TokenSpec());

        using var response = await client.GetAsync($"/api/v1/notes/{Guid.NewGuid()}", Cancel);

        await SecurityBaseline.AssertSafeProblemAsync(response, HttpStatusCode.NotFound);
        SecurityBaseline.AssertApiHeaders(response);
    }

    [Fact]
    public async Task TraceIs405()
    {
        using var client = factory.CreateClient(new TokenSpec());

        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Trace, "/api/v1/notes"), Cancel);

        await SecurityBaseline.AssertSafeProblemAsync(response, HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task AnUnknownOriginGetsNoCorsHeaders()
    {
        using var client = factory.CreateClient(token: null);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/ping");
        request.Headers.Add("Origin", "https://evil.example");

        using var response = await client.SendAsync(request, Cancel);

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }
}
