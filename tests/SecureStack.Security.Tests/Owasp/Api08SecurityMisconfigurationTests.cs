using System.Net;
using System.Text;

namespace SecureStack.Security.Tests.Owasp;

/// <summary>API8:2023 Security Misconfiguration: headers on every answer, methods, CORS, error bodies.</summary>
[Collection(SecurityCollection.Name)]
public sealed class Api08SecurityMisconfigurationTests(SecurityFixture fixture)
{
    private const string UnknownOrigin = "https://attacker.example";

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public static TheoryData<string, string, bool, int> Answers => new()
    {
        { "GET", "/api/v1/ping", false, 200 },
        { "GET", "/api/v1/notes", false, 401 },
        { "GET", "/api/v1/admin/notes", true, 403 },
        { "GET", $"/api/v1/notes/{Guid.Empty}", true, 404 },
        { "GET", "/api/v1/notes?limit=0", true, 400 },
        { "TRACE", "/api/v1/notes", true, 405 },
        { "GET", "/no-such-route", false, 404 },
        { "POST", "/connect/token", false, 400 },
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public async Task API8_EveryStatusCarriesTheSecurityHeadersAndNoServerBanner(string method, string path, bool authenticated, int status)
    {
        using var gateway = fixture.CreateGatewayClient(authenticated ? await fixture.ServiceTokenAsync() : null);
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            request.Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "bogus", ["client_id"] = $"headers-{fixture.RunId}" });
        }

        using var response = await gateway.SendAsync(request, Cancellation);

        Assert.Equal(status, (int)response.StatusCode);
        SecurityBaseline.AssertCommonHeaders(response);
        Assert.True(response.Headers.Contains("Content-Security-Policy"), "Content-Security-Policy missing");
    }

    [Theory]
    [InlineData("TRACE", "/api/v1/ping")]
    [InlineData("TRACE", "/connect/token")]
    [InlineData("TRACK", "/api/v1/ping")]
    [InlineData("PROPFIND", "/.well-known/jwks")]
    public async Task API8_DiagnosticAndUnusualMethodsAre405(string method, string path)
    {
        using var gateway = fixture.CreateGatewayClient();

        using var response = await gateway.SendAsync(new HttpRequestMessage(new HttpMethod(method), path), Cancellation);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Theory]
    [InlineData("/api/v1/notes")]
    [InlineData("/connect/token")]
    [InlineData("/account/register")]
    public async Task API8_AnUnknownOriginGetsNoCorsGrant(string path)
    {
        using var gateway = fixture.CreateGatewayClient(await fixture.ServiceTokenAsync());
        using var preflight = new HttpRequestMessage(HttpMethod.Options, path);
        preflight.Headers.Add("Origin", UnknownOrigin);
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization, content-type");
        using var simple = new HttpRequestMessage(HttpMethod.Get, "/api/v1/notes");
        simple.Headers.Add("Origin", UnknownOrigin);

        using var preflightResponse = await gateway.SendAsync(preflight, Cancellation);
        using var simpleResponse = await gateway.SendAsync(simple, Cancellation);

        foreach (var response in new[] { preflightResponse, simpleResponse })
        {
            Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"), $"{path}: CORS granted to {UnknownOrigin}");
            Assert.False(response.Headers.Contains("Access-Control-Allow-Credentials"));
        }
    }

    [Theory]
    [InlineData("{\"title\": ")]
    [InlineData("{\"title\": \"x\", \"body\": \"\", \"tags\": [1, {\"$type\": \"System.IO.FileInfo\"}]}")]
    [InlineData("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]")]
    [InlineData("{\"title\": \"\\ud800\", \"body\": \"\"}")]
    public async Task API8_AMalformedBodyGetsAProblemWithoutInternals(string json)
    {
        using var gateway = fixture.CreateGatewayClient(await fixture.ServiceTokenAsync());
        using var content = new StringContent(json, Encoding.UTF8, "application/json");

        using var response = await gateway.PostAsync("/api/v1/notes", content, Cancellation);

        await SecurityBaseline.AssertSafeProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task API8_ATokenErrorNamesNoFrameworkOrVersion()
    {
        using var gateway = fixture.CreateGatewayClient();

        using var response = await gateway.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "urn:attacker:grant",
            ["client_id"] = $"banner-{fixture.RunId}",
        }), Cancellation);
        var body = await response.Content.ReadAsStringAsync(Cancellation);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        foreach (var leak in new[] { "OpenIddict", "   at ", "Exception", "Kestrel", "Version=" })
        {
            Assert.DoesNotContain(leak, body, StringComparison.Ordinal);
        }
    }
}
