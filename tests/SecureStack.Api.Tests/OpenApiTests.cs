using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using SecureStack.Api.Tests.Infrastructure;

namespace SecureStack.Api.Tests;

/// <summary>
/// The OpenAPI document is the route inventory the security suite attacks, so it must list every route the Api
/// really serves, each with the security it really enforces.
/// </summary>
public sealed partial class OpenApiTests(DevelopmentApiFactory factory) : IClassFixture<DevelopmentApiFactory>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DocumentListsEveryApiRouteTheServerMaps()
    {
        var document = await GetDocumentAsync();

        var documented = Operations(document).Select(o => $"{o.Method} {o.Path}").Order().ToList();
        var mapped = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith("/api/", StringComparison.Ordinal))
            .SelectMany(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods
                .Select(m => $"{m.ToLowerInvariant()} {Normalize(e.RoutePattern.RawText!)}"))
            .Order()
            .ToList();

        Assert.Equal(8, mapped.Count);
        Assert.Equal(mapped, documented);
    }

    [Fact]
    public async Task EveryOperationButPingRequiresABearerTokenWithItsScopes()
    {
        var document = await GetDocumentAsync();
        var expected = new Dictionary<string, string[]>
        {
            ["get /api/v1/notes"] = ["api.read"],
            ["get /api/v1/notes/{id}"] = ["api.read"],
            ["post /api/v1/notes"] = ["api.write"],
            ["put /api/v1/notes/{id}"] = ["api.write"],
            ["patch /api/v1/notes/{id}"] = ["api.write"],
            ["delete /api/v1/notes/{id}"] = ["api.write"],
            ["get /api/v1/admin/notes"] = ["api.admin"],
        };

        foreach (var (method, path, operation) in Operations(document))
        {
            var key = $"{method} {path}";
            if (key == "get /api/v1/ping")
            {
                Assert.False(operation.TryGetProperty("security", out _), "ping is anonymous");
                continue;
            }

            var requirement = Assert.Single(operation.GetProperty("security").EnumerateArray());
            var scopes = requirement.GetProperty("Bearer").EnumerateArray().Select(s => s.GetString()).ToArray();
            Assert.Equal(expected[key], scopes);
        }
    }

    [Fact]
    public async Task DocumentDeclaresTheBearerScheme()
    {
        var document = await GetDocumentAsync();

        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");

        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
    }

    [Fact]
    public async Task EveryProtectedOperationDocumentsItsErrorStatuses()
    {
        var document = await GetDocumentAsync();

        foreach (var (method, path, operation) in Operations(document).Where(o => !o.Path.EndsWith("/ping", StringComparison.Ordinal)))
        {
            var statuses = operation.GetProperty("responses").EnumerateObject().Select(p => p.Name).ToHashSet();
            Assert.True(statuses.IsSupersetOf(["401", "403"]), $"{method} {path}: {string.Join(",", statuses)}");
            if (path.EndsWith("{id}", StringComparison.Ordinal))
            {
                Assert.Contains("404", statuses);
            }

            if (method is "put" or "patch")
            {
                Assert.True(statuses.IsSupersetOf(["400", "412", "413", "428"]), $"{method} {path}: {string.Join(",", statuses)}");
            }
        }
    }

    [Fact]
    public async Task ScalarReferenceIsServedInDevelopment()
    {
        using var client = factory.CreateClient((string?)null);

        var response = await client.GetAsync("/scalar/v1", Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    private async Task<JsonElement> GetDocumentAsync()
    {
        using var client = factory.CreateClient((string?)null);
        var json = await client.GetStringAsync("/openapi/v1.json", Cancel);
        return JsonDocument.Parse(json).RootElement;
    }

    private static IEnumerable<(string Method, string Path, JsonElement Operation)> Operations(JsonElement document) =>
        document.GetProperty("paths").EnumerateObject().SelectMany(path =>
            path.Value.EnumerateObject().Select(operation => (operation.Name, Normalize(path.Name), operation.Value)));

    /// <summary>"/api/v1/notes/{id:guid}" and "/api/v1/notes/" become "/api/v1/notes/{id}" and "/api/v1/notes".</summary>
    private static string Normalize(string path) => RouteConstraint().Replace(path, "}").TrimEnd('/');

    [GeneratedRegex(":[^}]+}")]
    private static partial Regex RouteConstraint();
}

public sealed class OpenApiOutsideDevelopmentTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Theory]
    [InlineData("/openapi/v1.json")]
    [InlineData("/scalar/v1")]
    public async Task ReferenceIsNotServedOutsideDevelopment(string path)
    {
        using var client = factory.CreateClient(TokenSpec.Admin());

        var response = await client.GetAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
