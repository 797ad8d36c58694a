using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace SecureStack.Api.Tests.Infrastructure;

public static class HttpAssertions
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Asserts the status and that the body is RFC 9457 problem+json, and returns it.</summary>
    public static async Task<JsonElement> AssertProblemAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        // The ServiceDefaults customisation survives the Api's own (security events on validation failures).
        Assert.Equal(32, problem.GetProperty("traceId").GetString()?.Length);
        return problem;
    }

    public static async Task<T> ReadAsync<T>(this HttpResponseMessage response, HttpStatusCode status = HttpStatusCode.OK)
    {
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<T>(body, Json)!;
    }

    public static Task<HttpResponseMessage> SendJsonAsync(this HttpClient client, string method, string path, string? json, string? ifMatch = null)
    {
        var request = Routes.Request(method, path, json);
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    public static Task<HttpResponseMessage> PostNoteAsync(this HttpClient client, string title = "A title", string body = "A body", params string[] tags) =>
        client.PostAsJsonAsync(Routes.Notes, new { title, body, tags }, TestContext.Current.CancellationToken);
}

public sealed record NoteDto(Guid Id, string Title, string Body, string[] Tags, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record AdminNoteDto(Guid Id, string OwnerId, string Title, string[] Tags);

public sealed record PageDto<T>(T[] Items, string? NextCursor);
