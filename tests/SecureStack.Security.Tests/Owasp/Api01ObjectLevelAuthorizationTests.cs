using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace SecureStack.Security.Tests.Owasp;

/// <summary>API1:2023 Broken Object Level Authorization: a note's id is not a key to it.</summary>
[Collection(SecurityCollection.Name)]
public sealed class Api01ObjectLevelAuthorizationTests(SecurityFixture fixture)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task API1_UserBCannotReadUpdateOrDeleteUserAsNoteById()
    {
        using var alice = fixture.CreateGatewayClient(await fixture.UserTokenAsync("alice"));
        using var bob = fixture.CreateGatewayClient(await fixture.UserTokenAsync("bob"));
        var (note, etag) = await GatewayCalls.CreateNoteAsync(alice, "alice's secret");
        var path = note.ToString();

        using var read = await bob.GetAsync(path, Cancellation);
        using var replaced = await GatewayCalls.SendJsonAsync(bob, HttpMethod.Put, path, new { title = "pwned", body = "", tags = Array.Empty<string>() }, etag);
        using var patched = await GatewayCalls.SendJsonAsync(bob, HttpMethod.Patch, path, new { title = "pwned" }, etag);
        using var deleted = await GatewayCalls.SendJsonAsync(bob, HttpMethod.Delete, path, body: null, etag);
        using var list = await bob.GetAsync("/api/v1/notes?limit=100", Cancellation);

        // 404, not 403: bob learns nothing, not even that the id exists.
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, replaced.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, patched.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, deleted.StatusCode);
        Assert.DoesNotContain("alice's secret", await list.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);

        using var stillThere = await alice.GetAsync(path, Cancellation);
        Assert.Equal(HttpStatusCode.OK, stillThere.StatusCode);
        var body = await stillThere.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
        Assert.Equal("alice's secret", body.GetProperty("title").GetString());
    }

    [Fact]
    public async Task API1_AMachineClientCannotReachAUsersNote()
    {
        using var alice = fixture.CreateGatewayClient(await fixture.UserTokenAsync("alice"));
        using var machine = fixture.CreateGatewayClient(await fixture.ServiceTokenAsync());
        var (note, _) = await GatewayCalls.CreateNoteAsync(alice, "not for machines");

        using var read = await machine.GetAsync(note.ToString(), Cancellation);

        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
    }
}
