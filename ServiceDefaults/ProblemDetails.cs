using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using SecureStack.ServiceDefaults.Security;

namespace Microsoft.Extensions.Hosting;

public static class ProblemDetailsExtensions
{
    /// <summary>
    /// Every error is RFC 9457 <c>application/problem+json</c> carrying the trace id, so a user can quote it
    /// and an operator can find the request in the dashboard. Outside Development the body says what went
    /// wrong in general terms only: no stack trace, exception type or framework version.
    /// </summary>
    public static TBuilder AddDefaultProblemDetails<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var traceId = Activity.Current?.TraceId.ToString() ?? context.HttpContext.TraceIdentifier;
            context.ProblemDetails.Extensions["traceId"] = traceId;

            if (context.ProblemDetails.Status == StatusCodes.Status400BadRequest)
            {
                var errors = (context.ProblemDetails as HttpValidationProblemDetails)?.Errors.Count ?? 0;
                context.HttpContext.RequestServices.GetRequiredService<SecurityEvents>()
                    .ValidationFailed(context.HttpContext.Request.Path, errors);
            }
        });

        return builder;
    }

    public static WebApplication UseDefaultProblemDetails(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }
}
