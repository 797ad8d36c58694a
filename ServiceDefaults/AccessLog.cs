using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpLogging;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SecureStack.ServiceDefaults.Security;

namespace Microsoft.Extensions.Hosting;

public static class AccessLogExtensions
{
    /// <summary>
    /// One structured access-log line per request (ASP.NET Core HTTP logging, combined): method, route, path,
    /// status, duration, and the subject/client and trace id when known. It is an allow-list: no request or
    /// response header, query string or body is ever logged, so Authorization headers, cookies, tokens,
    /// passwords and client secrets cannot reach the log through it.
    /// </summary>
    public static TBuilder AddAccessLog<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHttpLogging(options =>
        {
            options.LoggingFields = HttpLoggingFields.RequestMethod
                | HttpLoggingFields.ResponseStatusCode
                | HttpLoggingFields.Duration;
            options.RequestHeaders.Clear();
            options.ResponseHeaders.Clear();
            options.MediaTypeOptions.Clear();
            options.CombineLogs = true;
        });
        builder.Services.AddHttpLoggingInterceptor<AccessLogInterceptor>();
        builder.Logging.AddFilter("Microsoft.AspNetCore.HttpLogging.HttpLoggingMiddleware", LogLevel.Information);
        // The host's own request lines carry the full URL, query string included (where secrets end up when
        // clients misuse them): the access log replaces them.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        return builder;
    }

    /// <summary>Adds the fields the framework does not know and keeps probes out of the log.</summary>
    private sealed class AccessLogInterceptor : IHttpLoggingInterceptor
    {
        public ValueTask OnRequestAsync(HttpLoggingInterceptorContext logContext)
        {
            if (HealthExtensions.IsHealthPath(logContext.HttpContext.Request.Path))
            {
                logContext.LoggingFields = HttpLoggingFields.None;
                return ValueTask.CompletedTask;
            }

            // The raw path is client input (a %0A decodes to a newline): log it escaped.
            logContext.AddParameter("Path", LogValue.Sanitize(logContext.HttpContext.Request.Path.Value, maxLength: 512));
            return ValueTask.CompletedTask;
        }

        public ValueTask OnResponseAsync(HttpLoggingInterceptorContext logContext)
        {
            if (logContext.LoggingFields == HttpLoggingFields.None)
            {
                return ValueTask.CompletedTask;
            }

            var context = logContext.HttpContext;
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
            logContext.AddParameter("Route", route ?? LogValue.Missing);
            logContext.AddParameter("Subject", LogValue.Sanitize(context.User.FindFirst("sub")?.Value));
            logContext.AddParameter("ClientId", LogValue.Sanitize(context.User.FindFirst("client_id")?.Value));
            logContext.AddParameter("TraceId", Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier);
            return ValueTask.CompletedTask;
        }
    }
}
