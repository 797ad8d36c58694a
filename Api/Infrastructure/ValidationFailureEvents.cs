using Microsoft.AspNetCore.Http;
using SecureStack.ServiceDefaults.Security;

namespace SecureStack.Api.Infrastructure;

/// <summary>
/// Every ValidationProblem the Api writes (the .NET 10 validation filter, handlers, binding failures) passes
/// through ProblemDetails customisation; this records it as a security event, keeping the ServiceDefaults
/// customisation (trace id) that was there first.
/// </summary>
internal sealed class ValidationFailureEvents(SecurityEvents securityEvents)
{
    public void Attach(ProblemDetailsOptions options)
    {
        var previous = options.CustomizeProblemDetails;
        options.CustomizeProblemDetails = context =>
        {
            previous?.Invoke(context);
            if (context.ProblemDetails is HttpValidationProblemDetails { Errors.Count: > 0 } validation
                && context.Exception is null)
            {
                securityEvents.ValidationFailed(context.HttpContext.Request.Path, validation.Errors.Count);
            }
        };
    }
}
