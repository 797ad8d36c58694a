using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
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

        // After the default writer, which refuses a client whose Accept names neither JSON type: such a client
        // still gets an RFC 9457 body rather than an exception (and a 500) where the error was being reported.
        builder.Services.AddSingleton<IProblemDetailsWriter, ProblemJsonFallbackWriter>();
        builder.Services.AddExceptionHandler<MalformedFormExceptionHandler>();

        return builder;
    }

    public static WebApplication UseDefaultProblemDetails(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }
}

/// <summary>Writes <c>application/problem+json</c> whatever the client's Accept header says, customized like every other problem.</summary>
internal sealed class ProblemJsonFallbackWriter(IOptions<ProblemDetailsOptions> options) : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        problem.Status ??= context.HttpContext.Response.StatusCode;
        options.Value.CustomizeProblemDetails?.Invoke(context);
        return new ValueTask(context.HttpContext.Response.WriteAsJsonAsync(
            problem, problem.GetType(), options: null, contentType: "application/problem+json", context.HttpContext.RequestAborted));
    }
}

/// <summary>
/// A form body over the framework's limits (key or value length, value count) throws InvalidDataException from
/// deep inside whichever component reads the form (OpenIddict's endpoints, antiforgery): the client sent a bad
/// request, so it gets a 400, not a 500.
/// </summary>
internal sealed class MalformedFormExceptionHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not InvalidDataException || httpContext.Response.HasStarted)
        {
            return false;
        }

        httpContext.Response.StatusCode = StatusCodes.Status400BadRequest;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = { Status = StatusCodes.Status400BadRequest, Title = "The request body could not be read." },
        });
    }
}
