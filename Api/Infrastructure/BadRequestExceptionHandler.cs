using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using SecureStack.ServiceDefaults.Security;

namespace SecureStack.Api.Infrastructure;

/// <summary>
/// Turns a request the framework could not bind into a ValidationProblem that says which member was wrong,
/// without echoing the serializer's message (it names .NET types) or the value sent.
/// </summary>
internal sealed class BadRequestExceptionHandler(IProblemDetailsService problemDetails, SecurityEvents securityEvents) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException badRequest || httpContext.Response.HasStarted)
        {
            return false;
        }

        var (member, message) = badRequest.InnerException switch
        {
            JsonException json => (
                string.IsNullOrEmpty(json.Path) ? "$" : json.Path,
                "Unknown member, a value of the wrong type, or malformed JSON at this position."),
            _ => ("request", "The request could not be read."),
        };

        httpContext.Response.StatusCode = badRequest.StatusCode;
        if (badRequest.StatusCode == StatusCodes.Status400BadRequest)
        {
            securityEvents.ValidationFailed(httpContext.Request.Path, 1);
        }

        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new HttpValidationProblemDetails(new Dictionary<string, string[]> { [member] = [message] })
            {
                Status = badRequest.StatusCode,
                Title = "The request body or parameters could not be read.",
            },
        });
    }
}
