using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Http.HttpResults;

namespace SecureStack.Identity.Apis;

/// <summary>
/// The few server-rendered pages (login, device verification). Every dynamic value goes through
/// <see cref="Encode"/>; the page has no script and no inline style. Its headers, CSP included, are the
/// baseline's page policy (<c>SecurityHeadersExtensions.HtmlPagePolicy</c>), set on each page's endpoint.
/// </summary>
internal static class HtmlPage
{

    public static string Encode(string? value) => HtmlEncoder.Default.Encode(value ?? string.Empty);

    public static ContentHttpResult Render(HttpContext httpContext, string title, string body, int statusCode = StatusCodes.Status200OK)
    {
        var html = $"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{Encode(title)} · SecureStack</title>
            </head>
            <body>
            <main>
            <h1>{Encode(title)}</h1>
            {body}
            </main>
            </body>
            </html>
            """;
        return TypedResults.Content(html, "text/html; charset=utf-8", statusCode: statusCode);
    }

    public static string Error(string? message) =>
        string.IsNullOrEmpty(message) ? string.Empty : $"""<p role="alert" id="error">{Encode(message)}</p>""";

    public static string AntiforgeryField(Microsoft.AspNetCore.Antiforgery.AntiforgeryTokenSet tokens) =>
        HiddenField(tokens.FormFieldName, tokens.RequestToken);

    public static string HiddenField(string name, string? value) =>
        $"""<input type="hidden" name="{Encode(name)}" value="{Encode(value)}">""";
}
