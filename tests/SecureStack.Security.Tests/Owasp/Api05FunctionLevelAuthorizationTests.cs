using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.Testing;

namespace SecureStack.Security.Tests.Owasp;

/// <summary>
/// API5:2023 Broken Function Level Authorization: every operation in the Api's own OpenAPI document, called
/// through the Gateway as anonymous, a user, a machine client and an admin, against an expected status table.
/// </summary>
[Collection(SecurityCollection.Name)]
public sealed class Api05FunctionLevelAuthorizationTests(SecurityFixture fixture)
{
    public enum Caller { Anonymous, User, Client, Admin }

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task API5_EveryDocumentedOperationAnswersEachCallerAsTheTableSays()
    {
        var operations = await OpenApiInventory.OperationsAsync(fixture);
        var tokens = new Dictionary<Caller, string?>
        {
            [Caller.Anonymous] = null,
            [Caller.User] = await fixture.UserTokenAsync("alice"),
            [Caller.Client] = await fixture.ServiceTokenAsync(),
            [Caller.Admin] = await fixture.DemoUserTokenAsync(),
        };
        var failures = new List<string>();

        foreach (var (method, template) in operations)
        {
            var path = template.Replace("{id}", Guid.NewGuid().ToString(), StringComparison.Ordinal);
            foreach (var (caller, token) in tokens)
            {
                using var gateway = fixture.CreateGatewayClient(token);
                var body = method is "POST" or "PUT" or "PATCH" ? new { title = "table", body = "", tags = Array.Empty<string>() } : null;
                using var response = await GatewayCalls.SendJsonAsync(gateway, new HttpMethod(method), path, body, ifMatch: "\"0\"");
                var status = (int)response.StatusCode;
                var expected = Expected(template, caller);
                if (!expected.Allows(status))
                {
                    failures.Add($"{method} {template} as {caller}: {status}, expected {expected}");
                }
            }
        }

        // The table must not pass vacuously: the notes CRUD, the admin listing and the ping are all there.
        Assert.True(operations.Count >= 8, $"only {operations.Count} operations in the OpenAPI document");
        Assert.Empty(failures);
    }

    private static Expectation Expected(string template, Caller caller) => (template, caller) switch
    {
        ("/api/v1/ping", _) => Expectation.Exactly(200),
        (_, Caller.Anonymous) => Expectation.Exactly(401),
        (var admin, Caller.Admin) when admin.StartsWith("/api/v1/admin", StringComparison.Ordinal) => Expectation.Exactly(200),
        (var admin, _) when admin.StartsWith("/api/v1/admin", StringComparison.Ordinal) => Expectation.Exactly(403),
        // Allowed through: the answer is about the request (200, 201, 204, 400, 404, 412, 428), never 401/403/5xx.
        _ => Expectation.Authorized,
    };

    private sealed record Expectation(int? Status)
    {
        public static readonly Expectation Authorized = new((int?)null);

        public static Expectation Exactly(int status) => new(status);

        public bool Allows(int status) => Status is { } exact ? status == exact : status is not (401 or 403) and < 500;

        public override string ToString() => Status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "authorized (not 401/403/5xx)";
    }
}

/// <summary>The Api's OpenAPI document (Development only), read from the Api itself for the inventory.</summary>
internal static class OpenApiInventory
{
    public const string DocumentPath = "/openapi/v1.json";

    public static async Task<List<(string Method, string Path)>> OperationsAsync(SecurityFixture fixture)
    {
        using var api = new HttpClient { BaseAddress = fixture.App.GetEndpoint("api", "http") };
        var document = await api.GetFromJsonAsync<JsonElement>(DocumentPath, TestContext.Current.CancellationToken);
        return [.. document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject()
                .Where(operation => operation.Name is "get" or "post" or "put" or "patch" or "delete")
                .Select(operation => (operation.Name.ToUpperInvariant(), path.Name)))];
    }
}
