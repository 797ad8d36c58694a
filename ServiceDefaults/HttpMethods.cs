using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Microsoft.Extensions.Hosting;

public static class HttpMethodExtensions
{
    private static readonly HashSet<string> Allowed = new(StringComparer.OrdinalIgnoreCase)
    {
        HttpMethods.Get, HttpMethods.Head, HttpMethods.Post, HttpMethods.Put,
        HttpMethods.Patch, HttpMethods.Delete, HttpMethods.Options,
    };

    private static readonly string AllowHeader = string.Join(", ", Allowed);

    /// <summary>
    /// Answers any method outside the REST set (TRACE, TRACK, CONNECT, PROPFIND, made-up ones) with 405 before
    /// routing or proxying sees it: TRACE reflects request headers (cross-site tracing), and exotic methods are
    /// how requests slip past method-based rules in proxies and WAFs.
    /// </summary>
    public static IApplicationBuilder UseAllowedHttpMethods(this IApplicationBuilder app) =>
        app.Use(static (context, next) =>
        {
            if (Allowed.Contains(context.Request.Method))
            {
                return next(context);
            }

            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            context.Response.Headers[HeaderNames.Allow] = AllowHeader;
            return Task.CompletedTask;
        });
}
