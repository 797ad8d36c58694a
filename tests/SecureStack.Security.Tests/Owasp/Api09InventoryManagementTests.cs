using System.Net;
using Aspire.Hosting.Testing;

namespace SecureStack.Security.Tests.Owasp;

/// <summary>
/// API9:2023 Improper Inventory Management: what the Gateway exposes is exactly the documented Api under
/// /api/v1 plus Identity's protocol endpoints; nothing internal or development-only leaks through it.
/// </summary>
[Collection(SecurityCollection.Name)]
public sealed class Api09InventoryManagementTests(SecurityFixture fixture)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task API9_EveryDocumentedOperationIsAVersionedRouteUnderTheGatewaysApiPrefix()
    {
        var operations = await OpenApiInventory.OperationsAsync(fixture);

        Assert.NotEmpty(operations);
        Assert.All(operations, operation => Assert.StartsWith("/api/v1/", operation.Path, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/openapi/v1.json")]
    [InlineData("/api/openapi/v1.json")]
    [InlineData("/scalar")]
    [InlineData("/api/scalar")]
    [InlineData("/api/health")]
    [InlineData("/api/alive")]
    [InlineData("/api/v2/notes")]
    [InlineData("/api/v0/notes")]
    [InlineData("/api/v1/debug")]
    [InlineData("/swagger/index.html")]
    [InlineData("/api/swagger/v1/swagger.json")]
    [InlineData("/.env")]
    [InlineData("/identity/health")]
    public async Task API9_AnInternalOrDevelopmentOnlyEndpointIsNotReachableThroughTheGateway(string path)
    {
        using var anonymous = fixture.CreateGatewayClient();
        using var authenticated = fixture.CreateGatewayClient(await fixture.ServiceTokenAsync());

        using var asAnonymous = await anonymous.GetAsync(path, Cancellation);
        using var asClient = await authenticated.GetAsync(path, Cancellation);

        Assert.Contains(asAnonymous.StatusCode, new[] { HttpStatusCode.NotFound, HttpStatusCode.Unauthorized });
        Assert.Equal(HttpStatusCode.NotFound, asClient.StatusCode);
    }

    [Theory]
    [InlineData("/health")]
    [InlineData("/alive")]
    public async Task API9_TheGatewaysOwnProbesAnswerOnlyOnItsManagementEndpointWithTheBareStatusWord(string path)
    {
        // Issue 14, F10: on the public endpoint the probes would tell anyone, unlimited, whether the Gateway runs
        // on its fallback limiter. They answer on the management endpoint only, which is never external, and
        // there they must not become an inventory either: no check names, no durations, no dependency list.
        using var gateway = fixture.CreateGatewayClient();
        using var management = new HttpClient { BaseAddress = fixture.App.GetEndpoint("gateway", "management") };

        using var onThePublicEndpoint = await gateway.GetAsync(path, Cancellation);
        using var response = await management.GetAsync(path, Cancellation);
        var body = await response.Content.ReadAsStringAsync(Cancellation);

        Assert.Equal(HttpStatusCode.NotFound, onThePublicEndpoint.StatusCode);
        Assert.Contains(body, new[] { "Healthy", "Degraded", "Unhealthy" });
        SecurityBaseline.AssertCommonHeaders(response);
    }

    [Fact]
    public async Task API9_TheDevelopmentInventoryIsServedOnlyByTheApiItselfNotAtTheEdge()
    {
        // Positive control for the theory above: the document exists (this is Development), just not through the Gateway.
        var operations = await OpenApiInventory.OperationsAsync(fixture);
        using var gateway = fixture.CreateGatewayClient(await fixture.ServiceTokenAsync());

        using var atTheEdge = await gateway.GetAsync(OpenApiInventory.DocumentPath, Cancellation);

        Assert.NotEmpty(operations);
        Assert.Equal(HttpStatusCode.NotFound, atTheEdge.StatusCode);
    }
}
