using System.Net;
using SecureStack.Api.Tests.Infrastructure;

namespace SecureStack.Api.Tests;

public sealed class AuthorizationTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static TheoryData<string, string, string?, string> NoteRoutes => Routes.NoteRoutes;

    [Theory]
    [MemberData(nameof(NoteRoutes))]
    public async Task TokenWithoutTheRouteScopeIsForbidden(string method, string path, string? body, string scope)
    {
        // Every scope but the one the route needs.
        string[] others = [.. new[] { "api.read", "api.write", "api.admin" }.Where(s => s != scope)];
        using var client = factory.CreateClient(TokenSpec.User(others) with { Roles = ["admin"] });

        var response = await client.SendJsonAsync(method, path, body);

        await response.AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Theory]
    [MemberData(nameof(NoteRoutes))]
    public async Task TokenWithTheRouteScopeIsAdmitted(string method, string path, string? body, string scope)
    {
        using var client = factory.CreateClient(TokenSpec.User(scope));

        var response = await client.SendJsonAsync(method, path, body, ifMatch: "\"1\"");

        // Past authorization: a result from the handler (the sample note does not exist for this user).
        Assert.DoesNotContain(response.StatusCode, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden });
    }

    [Theory]
    [InlineData("api.read")]
    [InlineData("api.readx api.writex")]
    [InlineData("API.READ API.WRITE")]
    public async Task ScopesMatchExactly(string scopeClaim)
    {
        using var client = factory.CreateClient(TokenSpec.User(scopeClaim.Split(' ')));

        var response = await client.PostNoteAsync();

        await response.AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task AdminRouteAdmitsAnAdminWithTheAdminScope()
    {
        using var client = factory.CreateClient(TokenSpec.Admin());

        var response = await client.GetAsync(Routes.AdminNotes, Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task AdminRouteForbidsAUserWithoutTheAdminRole()
    {
        using var client = factory.CreateClient(TokenSpec.Admin() with { Roles = ["user"] });

        var response = await client.GetAsync(Routes.AdminNotes, Cancel);

        await response.AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task AdminRouteForbidsAnAdminWhoseClientLacksTheAdminScope()
    {
        using var client = factory.CreateClient(TokenSpec.Admin() with { Scopes = ["api.read", "api.write"] });

        var response = await client.GetAsync(Routes.AdminNotes, Cancel);

        await response.AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task AdminRouteForbidsAClientCredentialsTokenEvenWithTheAdminScope()
    {
        using var client = factory.CreateClient(TokenSpec.Client("machine", "api.read", "api.write", "api.admin"));

        var response = await client.GetAsync(Routes.AdminNotes, Cancel);

        await response.AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task ClientCredentialsTokenWithOnlyReadScopeCannotWrite()
    {
        using var client = factory.CreateClient(TokenSpec.Client("reader", "api.read"));

        var read = await client.GetAsync(Routes.Notes, Cancel);
        var write = await client.PostNoteAsync();

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        await write.AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task TokenWithoutASubjectIsForbidden()
    {
        using var client = factory.CreateClient(TokenSpec.Admin() with { Subject = null });

        var response = await client.GetAsync(Routes.Notes, Cancel);

        await response.AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task UnmappedPathStillRequiresAToken()
    {
        using var client = factory.CreateClient((string?)null);

        var response = await client.GetAsync("/api/v1/secret-thing", Cancel);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task DenialIsASecurityEventNamingSubjectClientAndPath()
    {
        var spec = TokenSpec.User("api.read") with { ClientId = "denied-client" };
        using var client = factory.CreateClient(spec);

        await client.GetAsync(Routes.AdminNotes, Cancel);

        Assert.Contains(factory.Events.All, e => e.Name == "AuthorizationDenied"
            && e.Message.Contains(spec.Subject!, StringComparison.Ordinal)
            && e.Message.Contains("denied-client", StringComparison.Ordinal)
            && e.Message.Contains(Routes.AdminNotes, StringComparison.Ordinal));
    }
}
