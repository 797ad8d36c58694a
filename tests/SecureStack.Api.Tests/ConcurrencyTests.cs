using System.Net;
using SecureStack.Api.Tests.Infrastructure;

namespace SecureStack.Api.Tests;

public class ConcurrencyTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private const string Replacement = """{"title":"new","body":"new","tags":[]}""";

    [Theory]
    [InlineData("PUT", Replacement)]
    [InlineData("PATCH", """{"title":"new"}""")]
    [InlineData("DELETE", null)]
    public async Task StaleETagIsPreconditionFailed(string method, string? json)
    {
        using var client = factory.CreateClient(new TokenSpec());
        var created = await client.PostNoteAsync("original");
        var path = created.Headers.Location!.OriginalString;
        var stale = created.Headers.ETag!.Tag;
        Assert.Equal(HttpStatusCode.OK, (await client.SendJsonAsync("PATCH", path, """{"body":"someone else's edit"}""", stale)).StatusCode);

        var response = await client.SendJsonAsync(method, path, json, stale);

        await response.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        var note = await (await client.GetAsync(path, Cancel)).ReadAsync<NoteDto>();
        Assert.Equal(("original", "someone else's edit"), (note.Title, note.Body));
    }

    [Theory]
    [InlineData("PUT", Replacement)]
    [InlineData("PATCH", """{"title":"new"}""")]
    public async Task UpdateWithoutIfMatchIsPreconditionRequired(string method, string json)
    {
        using var client = factory.CreateClient(new TokenSpec());
        var created = await client.PostNoteAsync("original");

        var response = await client.SendJsonAsync(method, created.Headers.Location!.OriginalString, json);

        await response.AssertProblemAsync((HttpStatusCode)428);
    }

    [Fact]
    public async Task WeakETagDoesNotSatisfyIfMatch()
    {
        using var client = factory.CreateClient(new TokenSpec());
        var created = await client.PostNoteAsync();

        var response = await client.SendJsonAsync("PUT", created.Headers.Location!.OriginalString, Replacement, "W/" + created.Headers.ETag!.Tag);

        await response.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
    }

    [Fact]
    public async Task WildcardIfMatchUpdatesAnExistingNote()
    {
        using var client = factory.CreateClient(new TokenSpec());
        var created = await client.PostNoteAsync();

        var response = await client.SendJsonAsync("PUT", created.Headers.Location!.OriginalString, Replacement, "*");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task EachUpdateIssuesANewETagAndTheOldOneStopsWorking()
    {
        using var client = factory.CreateClient(new TokenSpec());
        var created = await client.PostNoteAsync();
        var path = created.Headers.Location!.OriginalString;

        var first = await client.SendJsonAsync("PATCH", path, """{"title":"one"}""", created.Headers.ETag!.Tag);
        var second = await client.SendJsonAsync("PATCH", path, """{"title":"two"}""", first.Headers.ETag!.Tag);
        var replay = await client.SendJsonAsync("PATCH", path, """{"title":"three"}""", first.Headers.ETag!.Tag);

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.NotEqual(first.Headers.ETag, second.Headers.ETag);
        await replay.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
    }

    [Fact]
    public async Task ConcurrentWritersWithTheSameETagCannotBothWin()
    {
        using var client = factory.CreateClient(new TokenSpec());
        var created = await client.PostNoteAsync();
        var path = created.Headers.Location!.OriginalString;
        var etag = created.Headers.ETag!.Tag;

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            client.SendJsonAsync("PATCH", path, $$"""{"title":"writer {{i}}"}""", etag)));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.OK),
            r => Assert.Equal(HttpStatusCode.PreconditionFailed, r.StatusCode));
    }
}
