using System.Net;
using System.Net.Http.Json;
using SecureStack.Api.Tests.Infrastructure;

namespace SecureStack.Api.Tests;

public class NotesCrudTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CreatingANoteReturnsItWithLocationAndETag()
    {
        using var client = factory.CreateClient(new TokenSpec());

        var response = await client.PostNoteAsync("Groceries", "Milk, eggs", "home", "todo");

        var note = await response.ReadAsync<NoteDto>(HttpStatusCode.Created);
        Assert.Equal("Groceries", note.Title);
        Assert.Equal("Milk, eggs", note.Body);
        Assert.Equal(["home", "todo"], note.Tags);
        Assert.Equal($"/api/v1/notes/{note.Id}", response.Headers.Location?.OriginalString);
        Assert.Equal("\"1\"", response.Headers.ETag?.Tag);
        Assert.False(response.Headers.ETag?.IsWeak);
    }

    [Fact]
    public async Task OwnerCanReadTheirNoteWithItsETag()
    {
        using var client = factory.CreateClient(new TokenSpec());
        var created = await (await client.PostNoteAsync("Read me")).ReadAsync<NoteDto>(HttpStatusCode.Created);

        var response = await client.GetAsync(Routes.Note(created.Id), Cancel);

        var note = await response.ReadAsync<NoteDto>();
        Assert.Equal(created, note);
        Assert.Equal("\"1\"", response.Headers.ETag?.Tag);
    }

    [Fact]
    public async Task ListingShowsOnlyTheCallersNotes()
    {
        using var alice = factory.CreateClient(new TokenSpec());
        using var bob = factory.CreateClient(new TokenSpec());
        var mine = await (await alice.PostNoteAsync("alice's")).ReadAsync<NoteDto>(HttpStatusCode.Created);
        await bob.PostNoteAsync("bob's");

        var page = await (await alice.GetAsync(Routes.Notes, Cancel)).ReadAsync<PageDto<NoteDto>>();

        Assert.Equal([mine.Id], page.Items.Select(n => n.Id));
        Assert.Null(page.NextCursor);
    }

    [Fact]
    public async Task OwnerCanReplaceTheirNote()
    {
        using var client = factory.CreateClient(new TokenSpec());
        var created = await client.PostNoteAsync("Old", "old body", "a");

        var response = await client.SendJsonAsync("PUT", created.Headers.Location!.OriginalString,
            """{"title":"New","body":"new body","tags":["b","c"]}""", created.Headers.ETag!.Tag);

        var note = await response.ReadAsync<NoteDto>();
        Assert.Equal(("New", "new body"), (note.Title, note.Body));
        Assert.Equal(["b", "c"], note.Tags);
        Assert.Equal("\"2\"", response.Headers.ETag?.Tag);
        var reread = await (await client.GetAsync(created.Headers.Location, Cancel)).ReadAsync<NoteDto>();
        Assert.Equal("New", reread.Title);
        Assert.True(reread.UpdatedAt > reread.CreatedAt);
    }

    [Fact]
    public async Task PatchChangesOnlyTheFieldsSent()
    {
        using var client = factory.CreateClient(new TokenSpec());
        var created = await client.PostNoteAsync("Title", "Body", "keep");

        var response = await client.SendJsonAsync("PATCH", created.Headers.Location!.OriginalString,
            """{"body":"Patched"}""", created.Headers.ETag!.Tag);

        var note = await response.ReadAsync<NoteDto>();
        Assert.Equal(("Title", "Patched"), (note.Title, note.Body));
        Assert.Equal(["keep"], note.Tags);
    }

    [Fact]
    public async Task OwnerCanDeleteTheirNote()
    {
        using var client = factory.CreateClient(new TokenSpec());
        var created = await client.PostNoteAsync();

        var response = await client.DeleteAsync(created.Headers.Location, Cancel);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        await (await client.GetAsync(created.Headers.Location, Cancel)).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task MissingNoteIsNotFound()
    {
        using var client = factory.CreateClient(new TokenSpec());

        var response = await client.GetAsync(Routes.Note(Guid.CreateVersion7()), Cancel);

        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("PUT")]
    [InlineData("PATCH")]
    [InlineData("DELETE")]
    public async Task AnotherUsersNoteIsNotFoundAndUntouched(string method)
    {
        using var owner = factory.CreateClient(new TokenSpec());
        using var intruder = factory.CreateClient(new TokenSpec());
        var created = await owner.PostNoteAsync("Private", "secret");
        var path = created.Headers.Location!.OriginalString;

        // Even with the right ETag: knowing the version must not help.
        var response = await intruder.SendJsonAsync(method, path,
            method is "PUT" or "PATCH" ? """{"title":"pwned","body":"x","tags":[]}""" : null, created.Headers.ETag!.Tag);

        // 404, not 403: the intruder must not learn that the id exists.
        await response.AssertProblemAsync(HttpStatusCode.NotFound);
        var note = await (await owner.GetAsync(path, Cancel)).ReadAsync<NoteDto>();
        Assert.Equal(("Private", "secret"), (note.Title, note.Body));
    }

    [Fact]
    public async Task ClientCredentialsTokenWorksOnItsOwnNotesOnly()
    {
        using var user = factory.CreateClient(new TokenSpec());
        var usersNote = await user.PostNoteAsync("user's");
        var clientId = "machine-" + Guid.NewGuid().ToString("N");
        using var machine = factory.CreateClient(TokenSpec.Client(clientId, "api.read", "api.write"));

        var own = await (await machine.PostNoteAsync("machine's")).ReadAsync<NoteDto>(HttpStatusCode.Created);
        var page = await (await machine.GetAsync(Routes.Notes, Cancel)).ReadAsync<PageDto<NoteDto>>();
        var other = await machine.GetAsync(usersNote.Headers.Location, Cancel);

        Assert.Equal([own.Id], page.Items.Select(n => n.Id));
        await other.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ClientWhoseIdEqualsAUsersSubjectCannotReachThatUsersNotes()
    {
        var spec = new TokenSpec();
        using var user = factory.CreateClient(spec);
        var usersNote = await user.PostNoteAsync("user's");
        using var impostor = factory.CreateClient(TokenSpec.Client(spec.Subject!, "api.read"));

        var response = await impostor.GetAsync(usersNote.Headers.Location, Cancel);

        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AdminListsNotesAcrossOwners()
    {
        using var alice = factory.CreateClient(new TokenSpec());
        using var bob = factory.CreateClient(new TokenSpec());
        using var admin = factory.CreateClient(TokenSpec.Admin());
        var a = await (await alice.PostNoteAsync("a")).ReadAsync<NoteDto>(HttpStatusCode.Created);
        var b = await (await bob.PostNoteAsync("b")).ReadAsync<NoteDto>(HttpStatusCode.Created);

        var page = await (await admin.GetAsync($"{Routes.AdminNotes}?limit=100", Cancel)).ReadAsync<PageDto<AdminNoteDto>>();

        Assert.Contains(page.Items, n => n.Id == a.Id);
        Assert.Contains(page.Items, n => n.Id == b.Id);
        Assert.Equal(2, page.Items.Where(n => n.Id == a.Id || n.Id == b.Id).Select(n => n.OwnerId).Distinct().Count());
    }

    [Fact]
    public async Task AdminCanFilterByOwner()
    {
        var aliceSpec = new TokenSpec();
        using var alice = factory.CreateClient(aliceSpec);
        using var admin = factory.CreateClient(TokenSpec.Admin());
        var a = await (await alice.PostNoteAsync("a")).ReadAsync<NoteDto>(HttpStatusCode.Created);

        var page = await (await admin.GetAsync($"{Routes.AdminNotes}?owner={aliceSpec.Subject}", Cancel)).ReadAsync<PageDto<AdminNoteDto>>();

        var only = Assert.Single(page.Items);
        Assert.Equal((a.Id, aliceSpec.Subject), (only.Id, only.OwnerId));
    }

    [Fact]
    public async Task PingIsAnonymousAndReportsTheTrace()
    {
        using var client = factory.CreateClient((string?)null);

        var response = await client.GetFromJsonAsync<Dictionary<string, string?>>("/api/v1/ping", Cancel);

        Assert.Equal("api", response!["service"]);
        Assert.Equal(32, response["traceId"]?.Length);
        Assert.True(response.ContainsKey("parentSpanId"));
    }
}
