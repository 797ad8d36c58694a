using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace SecureStack.AppHost.Tests;

/// <summary>
/// The whole path a client takes: a real token from Identity, through the Gateway (which validates it), to the
/// Api (which validates it again and applies scopes, roles and ownership).
/// </summary>
[Collection(AppHostCollection.Name)]
public class NotesThroughTheGatewayTests(AppHostFixture fixture)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AMachineClientCreatesAndReadsItsNote()
    {
        using var gateway = fixture.CreateGatewayClient();
        Authorize(gateway, await fixture.GetServiceTokenAsync(gateway, "api.read api.write"));

        using var created = await gateway.PostAsJsonAsync("/api/v1/notes", new { title = "from the machine", body = "hello" }, Cancellation);
        using var read = await gateway.GetAsync(created.Headers.Location, Cancellation);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        var note = await read.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
        Assert.Equal("from the machine", note.GetProperty("title").GetString());
    }

    [Fact]
    public async Task AUserCannotSeeAnotherCallersNote()
    {
        using var machine = fixture.CreateGatewayClient();
        Authorize(machine, await fixture.GetServiceTokenAsync(machine, "api.read api.write"));
        using var created = await machine.PostAsJsonAsync("/api/v1/notes", new { title = "private to the machine" }, Cancellation);
        using var user = fixture.CreateGatewayClient();
        Authorize(user, await fixture.GetDemoUserTokenAsync(user, "api.read api.write"));

        using var response = await user.GetAsync(created.Headers.Location, Cancellation);

        // 404, not 403: the note's existence is not revealed.
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task AReadOnlyTokenCannotWrite()
    {
        using var gateway = fixture.CreateGatewayClient();
        Authorize(gateway, await fixture.GetServiceTokenAsync(gateway, "api.read"));

        using var response = await gateway.PostAsJsonAsync("/api/v1/notes", new { title = "not allowed" }, Cancellation);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task OnlyAnAdminUserWithTheAdminScopeListsEveryonesNotes()
    {
        using var admin = fixture.CreateGatewayClient();
        Authorize(admin, await fixture.GetDemoUserTokenAsync(admin, "api.read api.admin"));
        using var machine = fixture.CreateGatewayClient();
        Authorize(machine, await fixture.GetServiceTokenAsync(machine, "api.read"));

        using var asAdmin = await admin.GetAsync("/api/v1/admin/notes", Cancellation);
        using var asMachine = await machine.GetAsync("/api/v1/admin/notes", Cancellation);

        Assert.Equal(HttpStatusCode.OK, asAdmin.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, asMachine.StatusCode);
    }

    [Fact]
    public async Task WithoutATokenTheGatewayAnswers401()
    {
        using var gateway = fixture.CreateGatewayClient();

        using var response = await gateway.GetAsync("/api/v1/notes", Cancellation);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static void Authorize(HttpClient client, string token) =>
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
}
