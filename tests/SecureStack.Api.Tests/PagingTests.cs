using System.Net;
using SecureStack.Api.Tests.Infrastructure;

namespace SecureStack.Api.Tests;

public class PagingTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(Routes.Notes + "?limit=0", "limit")]
    [InlineData(Routes.Notes + "?limit=101", "limit")]
    [InlineData(Routes.Notes + "?limit=-1", "limit")]
    [InlineData(Routes.Notes + "?cursor=not-a-cursor", "cursor")]
    [InlineData(Routes.Notes + "?cursor=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "cursor")]
    [InlineData(Routes.AdminNotes + "?limit=101", "limit")]
    [InlineData(Routes.AdminNotes + "?cursor=%%%%", "cursor")]
    public async Task OutOfBoundsPagingIsAValidationProblem(string url, string member)
    {
        using var client = factory.CreateClient(TokenSpec.Admin());

        var response = await client.GetAsync(url, Cancel);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(member, out _), problem.ToString());
    }

    [Fact]
    public async Task NonNumericLimitIsAProblem()
    {
        using var client = factory.CreateClient(new TokenSpec());

        var response = await client.GetAsync(Routes.Notes + "?limit=lots", Cancel);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task PagesWalkEveryNoteOnceNewestFirst()
    {
        using var client = factory.CreateClient(new TokenSpec());
        var created = new List<Guid>();
        for (var i = 0; i < 7; i++)
        {
            created.Add((await (await client.PostNoteAsync($"note {i}")).ReadAsync<NoteDto>(HttpStatusCode.Created)).Id);
        }

        var seen = new List<Guid>();
        var pages = 0;
        string? cursor = null;
        do
        {
            var page = await (await client.GetAsync($"{Routes.Notes}?limit=3{(cursor is null ? "" : "&cursor=" + cursor)}", Cancel))
                .ReadAsync<PageDto<NoteDto>>();
            Assert.InRange(page.Items.Length, 1, 3);
            seen.AddRange(page.Items.Select(n => n.Id));
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Reverse(created), seen);
    }

    [Fact]
    public async Task DefaultPageIsTwentyAndTheMaximumIsAHundred()
    {
        using var client = factory.CreateClient(new TokenSpec());
        for (var i = 0; i < 101; i++)
        {
            await client.PostNoteAsync($"note {i}");
        }

        var byDefault = await (await client.GetAsync(Routes.Notes, Cancel)).ReadAsync<PageDto<NoteDto>>();
        var maximum = await (await client.GetAsync($"{Routes.Notes}?limit=100", Cancel)).ReadAsync<PageDto<NoteDto>>();

        Assert.Equal(20, byDefault.Items.Length);
        Assert.NotNull(byDefault.NextCursor);
        Assert.Equal(100, maximum.Items.Length);
        Assert.NotNull(maximum.NextCursor);
    }

    [Fact]
    public async Task AnotherUsersCursorShowsOnlyTheCallersNotes()
    {
        using var alice = factory.CreateClient(new TokenSpec());
        using var bob = factory.CreateClient(new TokenSpec());
        for (var i = 0; i < 3; i++)
        {
            await alice.PostNoteAsync($"alice {i}");
        }

        var bobs = await (await bob.PostNoteAsync("bob")).ReadAsync<NoteDto>(HttpStatusCode.Created);
        var alicePage = await (await alice.GetAsync($"{Routes.Notes}?limit=1", Cancel)).ReadAsync<PageDto<NoteDto>>();

        var page = await (await bob.GetAsync($"{Routes.Notes}?cursor={alicePage.NextCursor}", Cancel)).ReadAsync<PageDto<NoteDto>>();

        Assert.All(page.Items, n => Assert.NotEqual("alice", n.Title.Split(' ')[0]));
        Assert.DoesNotContain(page.Items, n => n.Id != bobs.Id);
    }
}
