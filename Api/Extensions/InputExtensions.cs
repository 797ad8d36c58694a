using Microsoft.AspNetCore.Routing;
using SecureStack.Api.Infrastructure;
using SecureStack.ServiceDefaults.Options;

namespace SecureStack.Api.Extensions;

public static class InputExtensions
{
    /// <summary>
    /// Input is validated before a handler runs: DataAnnotations through .NET 10 validation, unknown JSON members
    /// rejected by the baseline (API3 mass assignment: a client cannot slip in <c>ownerId</c>), and bodies bounded (API4).
    /// Every rejection is an <c>application/problem+json</c> 400 or 413.
    /// </summary>
    public static TBuilder AddApiInput<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddValidation();

        // Binding failures (malformed JSON, unknown member, a query value of the wrong type) throw in every
        // environment so BadRequestExceptionHandler answers them with ProblemDetails, not an empty 400.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
        return builder;
    }

    /// <summary>Bounds every request body (<see cref="RequestLimitsOptions.MaxRequestBodyBytes"/>).</summary>
    public static IApplicationBuilder UseRequestBodyLimit(this IApplicationBuilder app) =>
        app.UseMiddleware<RequestBodyLimitMiddleware>();
}
