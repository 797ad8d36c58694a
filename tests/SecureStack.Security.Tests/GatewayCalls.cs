using System.Net.Http.Json;
using System.Text.Json;

namespace SecureStack.Security.Tests;

/// <summary>Small request helpers shared by the OWASP tests; every call goes to the Gateway.</summary>
internal static class GatewayCalls
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public static async Task<(Uri Location, string ETag)> CreateNoteAsync(HttpClient gateway, string title)
    {
        using var response = await gateway.PostAsJsonAsync("/api/v1/notes", new { title, body = "secret body", tags = new[] { "private" } }, Cancellation);
        response.EnsureSuccessStatusCode();
        return (response.Headers.Location!, response.Headers.ETag!.ToString());
    }

    public static Task<HttpResponseMessage> SendJsonAsync(HttpClient gateway, HttpMethod method, string path, object? body, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return SendAndDisposeRequestAsync(gateway, request);
    }

    public static async Task<Dictionary<string, string>> TokenErrorAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
        return body.EnumerateObject().ToDictionary(property => property.Name, property => property.Value.ToString());
    }

    private static async Task<HttpResponseMessage> SendAndDisposeRequestAsync(HttpClient gateway, HttpRequestMessage request)
    {
        using (request)
        {
            return await gateway.SendAsync(request, Cancellation);
        }
    }
}
