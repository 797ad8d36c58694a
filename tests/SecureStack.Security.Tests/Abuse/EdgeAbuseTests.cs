using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Aspire.Hosting.Testing;

namespace SecureStack.Security.Tests.Abuse;

/// <summary>
/// The edge as an anonymous attacker meets it (issue 14, F9, F10, F12). Attacker: anyone who can reach the
/// Gateway. Targets: the URLs other users are sent to (a poisoned discovery document or login redirect), the
/// stack's state (health reveals fallback modes, unlimited), a user's token (written to traces from a URL).
/// </summary>
[Collection(AbuseCollection.Name)]
public sealed class EdgeAbuseTests(AbuseFixture fixture)
{
    private const string HostileHost = "evil.example";

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/.well-known/openid-configuration")]
    [InlineData("/account/login")]
    public async Task AHostileHostHeaderIsRefusedAtTheGateway(string path)
    {
        // Over the Gateway's plain-HTTP endpoint: over TLS the client would check the certificate against the
        // hostile name and never send the request.
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = fixture.App.GetEndpoint("gateway", "http") };
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Host = HostileHost;

        using var response = await client.SendAsync(request, Cancellation);
        var body = await response.Content.ReadAsStringAsync(Cancellation);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain(HostileHost, body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(HostileHost, response.Headers.Location?.ToString() ?? string.Empty, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task DiscoveryThroughTheGatewayNamesOnlyThePublicOrigin()
    {
        using var client = fixture.CreateGatewayClientFrom(fixture.NewClientAddress());
        using var request = new HttpRequestMessage(HttpMethod.Get, "/.well-known/openid-configuration");
        // A host the Gateway accepts but that is not the issuer's: what Identity sees as X-Forwarded-Host.
        request.Headers.Host = $"127.0.0.1:{fixture.GatewayAddress.Port}";

        using var response = await client.SendAsync(request, Cancellation);
        var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancellation)).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var urls = document.EnumerateObject()
            .Where(property => property.Value.ValueKind == JsonValueKind.String && property.Value.GetString()!.StartsWith("http", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(urls);
        Assert.All(urls, url => Assert.StartsWith(fixture.Issuer, url.Value.GetString(), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/health")]
    [InlineData("/alive")]
    public async Task HealthIsNotServedOnThePublicPortOfTheGateway(string path)
    {
        using var client = fixture.CreateGatewayClientFrom(fixture.NewClientAddress());

        using var onThePublicPort = await client.GetAsync(path, Cancellation);

        Assert.Equal(HttpStatusCode.NotFound, onThePublicPort.StatusCode);
        Assert.DoesNotContain("Healthy", await onThePublicPort.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
        // The orchestrator still reaches them, on the management endpoint, which is never external.
        using var management = new HttpClient { BaseAddress = fixture.App.GetEndpoint("gateway", "management") };
        using var onTheManagementPort = await management.GetAsync(path, Cancellation);
        Assert.Equal(HttpStatusCode.OK, onTheManagementPort.StatusCode);
    }

    [Fact]
    public async Task UserInfoRefusesAnAccessTokenInTheQueryString()
    {
        var (email, password) = await fixture.RegisterUserAsync("userinfo-query");
        var token = SecurityFixture.AccessToken(await fixture.RequestTokenAsync(SecurityFixture.PasswordGrant(email, password, "openid api.read")));
        using var client = fixture.CreateGatewayClientFrom(fixture.NewClientAddress());

        using var inTheQuery = await client.GetAsync("/connect/userinfo?access_token=" + Uri.EscapeDataString(token), Cancellation);
        using var inTheHeader = new HttpRequestMessage(HttpMethod.Get, "/connect/userinfo");
        inTheHeader.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var accepted = await client.SendAsync(inTheHeader, Cancellation);

        Assert.Equal(HttpStatusCode.BadRequest, inTheQuery.StatusCode);
        Assert.Contains("invalid_request", inTheQuery.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }
}
