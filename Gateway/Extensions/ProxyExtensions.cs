using System.Globalization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.Mvc;
using SecureStack.Gateway.Transforms;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace SecureStack.Gateway.Extensions;

public static partial class ProxyExtensions
{
    public const string SectionName = "ReverseProxy";

    /// <summary>Route metadata key: the largest request body, in bytes, a route forwards.</summary>
    public const string MaxRequestBodySizeMetadata = "MaxRequestBodySize";

    /// <summary>
    /// YARP with routes and clusters from the <c>ReverseProxy</c> configuration section; cluster addresses
    /// such as <c>https+http://api</c> are resolved through service discovery, so no backend address is
    /// written anywhere but in the orchestrator.
    /// </summary>
    public static WebApplicationBuilder AddGatewayProxy(this WebApplicationBuilder builder)
    {
        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection(SectionName))
            .AddServiceDiscoveryDestinationResolver()
            .AddTransforms<EdgeHeadersTransformProvider>()
            .AddTransforms<BackendErrorsTransformProvider>();

        return builder;
    }

    /// <summary>
    /// The proxy pipeline: YARP's own steps, plus a per-route body limit before forwarding and RFC 9457 errors
    /// after it, so a failing backend is a 502/503/504 ProblemDetails that says nothing about the backend.
    /// </summary>
    public static WebApplication MapGatewayReverseProxy(this WebApplication app)
    {
        app.MapReverseProxy(proxy =>
        {
            proxy.Use(WriteForwarderErrorsAsProblemDetails);
            proxy.Use(EnforceRouteBodySizeLimit);
            proxy.UseSessionAffinity();
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
        });

        return app;
    }

    private static async Task EnforceRouteBodySizeLimit(HttpContext context, Func<Task> next)
    {
        var route = context.GetReverseProxyFeature().Route.Config;
        if (route.Metadata?.TryGetValue(MaxRequestBodySizeMetadata, out var configured) == true
            && long.TryParse(configured, NumberStyles.None, CultureInfo.InvariantCulture, out var limit))
        {
            if (context.Request.ContentLength > limit)
            {
                // Refused before a byte is forwarded: an oversized body must not tie up a backend.
                await WriteProblemAsync(context, StatusCodes.Status413PayloadTooLarge, "Request body too large.",
                    $"This route accepts at most {limit} bytes.");
                return;
            }

            // Bodies without a length (chunked) are cut off by the server at the same limit while streaming.
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
            {
                feature.MaxRequestBodySize = limit;
            }
        }

        await next();
    }

    private static async Task WriteForwarderErrorsAsProblemDetails(HttpContext context, Func<Task> next)
    {
        await next();

        var error = context.GetForwarderErrorFeature();
        // The route's TimeoutPolicy cancels the request, which YARP reports as if the client had gone away.
        var timedOut = context.Features.Get<IHttpRequestTimeoutFeature>()?.RequestTimeoutToken.IsCancellationRequested == true;
        if (error is null || context.Response.HasStarted || (error.Error == ForwarderError.RequestCanceled && !timedOut))
        {
            return;
        }

        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ProxyExtensions).FullName!);
        LogForwarderError(logger, error.Error, error.Exception?.GetType().Name ?? "-");

        // A request-body error under 500 is not the backend failing: YARP's own 400/408/413 for a client's body
        // (413: cut off at the route limit), or the backend's answer, given before it had read the whole body.
        if (error.Error is ForwarderError.RequestBodyClient or ForwarderError.RequestBodyDestination or ForwarderError.RequestBodyCanceled
            && context.Response.StatusCode < StatusCodes.Status500InternalServerError)
        {
            if (error.Error == ForwarderError.RequestBodyClient && context.Response.StatusCode >= StatusCodes.Status400BadRequest)
            {
                await WriteProblemAsync(context, context.Response.StatusCode, context.Response.StatusCode switch
                {
                    StatusCodes.Status413PayloadTooLarge => "Request body too large.",
                    StatusCodes.Status408RequestTimeout => "The request body did not arrive in time.",
                    _ => "The request body could not be read.",
                }, detail: null);
            }

            return;
        }

        // Only the status and a generic sentence: exception messages name hosts, ports and versions.
        var (status, title) = error.Error switch
        {
            _ when timedOut => (StatusCodes.Status504GatewayTimeout, "The service did not answer in time."),
            ForwarderError.RequestTimedOut => (StatusCodes.Status504GatewayTimeout, "The service did not answer in time."),
            ForwarderError.NoAvailableDestinations => (StatusCodes.Status503ServiceUnavailable, "The service is unavailable."),
            // Nothing listens (stopped, restarting, not started yet): unavailable for now, worth retrying.
            ForwarderError.Request when IsConnectionFailure(error.Exception) => (StatusCodes.Status503ServiceUnavailable, "The service is unavailable."),
            _ when context.Response.StatusCode == StatusCodes.Status504GatewayTimeout => (StatusCodes.Status504GatewayTimeout, "The service did not answer in time."),
            _ => (StatusCodes.Status502BadGateway, "The service could not be reached."),
        };

        context.Response.Clear();
        if (timedOut)
        {
            // The timeout cancelled RequestAborted too; the client is still there and is owed its 504 body.
            context.RequestAborted = CancellationToken.None;
        }

        await WriteProblemAsync(context, status, title, detail: null);
    }

    private static bool IsConnectionFailure(Exception? exception) =>
        exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError };

    /// <summary>The Gateway's own error body: status, a generic title, the trace id; nothing from a backend.</summary>
    internal static async Task WriteProblemAsync(HttpContext context, int status, string title, string? detail)
    {
        context.Response.StatusCode = status;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }

    [LoggerMessage(EventId = 4110, Level = LogLevel.Warning, Message = "Forwarding failed: {ForwarderError} ({ExceptionType})")]
    private static partial void LogForwarderError(ILogger logger, ForwarderError forwarderError, string exceptionType);
}
