using System.Net;
using Xunit;

namespace SecureStack.Testing;

/// <summary>
/// What every SecureStack response must look like, asserted the same way in each service's tests (the
/// baseline in ServiceDefaults is tested in depth once, in SecureStack.ServiceDefaults.Tests).
/// </summary>
public static class SecurityBaseline
{
    public static readonly string[] ForbiddenHeaders = ["Server", "X-Powered-By", "X-AspNet-Version", "X-AspNetMvc-Version"];

    public static void AssertApiHeaders(HttpResponseMessage response)
    {
        Assert.Equal("default-src 'none'; frame-ancestors 'none'", Header(response, "Content-Security-Policy"));
        AssertCommonHeaders(response);
    }

    /// <summary>The headers every policy shares (server-rendered pages have their own CSP).</summary>
    public static void AssertCommonHeaders(HttpResponseMessage response)
    {
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
        Assert.Equal("no-referrer", Header(response, "Referrer-Policy"));
        Assert.Equal("no-store", Header(response, "Cache-Control"));
        Assert.NotNull(Header(response, "Permissions-Policy"));
        Assert.Equal("same-origin", Header(response, "Cross-Origin-Opener-Policy"));
        Assert.Equal("same-origin", Header(response, "Cross-Origin-Resource-Policy"));
        foreach (var name in ForbiddenHeaders)
        {
            Assert.Null(Header(response, name));
        }
    }

    /// <summary>An error body: RFC 9457, with a trace id, and nothing about the server's insides.</summary>
    public static async Task AssertSafeProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"traceId\"", body, StringComparison.Ordinal);
        foreach (var leak in new[] { "   at ", "Exception", "Microsoft.", "System.", "Kestrel" })
        {
            Assert.DoesNotContain(leak, body, StringComparison.Ordinal);
        }
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : null;
}
