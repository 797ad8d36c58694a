using Microsoft.Extensions.Primitives;
using SecureStack.Gateway.Extensions;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace SecureStack.Gateway.Transforms;

/// <summary>
/// A backend's 5xx answer is replaced by the Gateway's own ProblemDetails: a failing service may describe its
/// failure (stack traces, connection strings, versions) in ways meant for its operators, never for clients.
/// 503 and 504 keep their meaning (and a 503's Retry-After); every other 5xx becomes 502.
/// </summary>
internal sealed partial class BackendErrorsTransformProvider(ILogger<BackendErrorsTransformProvider> logger) : ITransformProvider
{
    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context) =>
        context.AddResponseTransform(ReplaceServerErrorAsync);

    private async ValueTask ReplaceServerErrorAsync(ResponseTransformContext context)
    {
        if (context.ProxyResponse is not { } backend || (int)backend.StatusCode < StatusCodes.Status500InternalServerError
            || context.HttpContext.Response.HasStarted)
        {
            return;
        }

        var (status, title) = (int)backend.StatusCode switch
        {
            StatusCodes.Status503ServiceUnavailable => (StatusCodes.Status503ServiceUnavailable, "The service is unavailable."),
            StatusCodes.Status504GatewayTimeout => (StatusCodes.Status504GatewayTimeout, "The service did not answer in time."),
            _ => (StatusCodes.Status502BadGateway, "The service failed to answer."),
        };
        LogBackendError(logger, (int)backend.StatusCode, status);

        var retryAfter = context.HttpContext.Response.Headers.RetryAfter;
        context.SuppressResponseBody = true;
        context.HttpContext.Response.Clear();
        if (status == StatusCodes.Status503ServiceUnavailable && !StringValues.IsNullOrEmpty(retryAfter))
        {
            context.HttpContext.Response.Headers.RetryAfter = retryAfter;
        }

        await ProxyExtensions.WriteProblemAsync(context.HttpContext, status, title, detail: null);
    }

    [LoggerMessage(EventId = 4111, Level = LogLevel.Warning, Message = "Backend answered {BackendStatus}; the client gets {Status}")]
    private static partial void LogBackendError(ILogger logger, int backendStatus, int status);
}
