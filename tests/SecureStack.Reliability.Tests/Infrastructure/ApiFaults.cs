using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace SecureStack.Reliability.Tests.Infrastructure;

public enum ApiFault
{
    None,

    /// <summary>Holds every request far beyond the Gateway's route timeout, as a hung database would.</summary>
    Hang,

    /// <summary>Answers 500 with the kind of body a careless error handler writes: type names, a stack, a host.</summary>
    Crash,
}

/// <summary>
/// A fault switch in front of the real Api (its first middleware): the rest of the Api is untouched, and with the
/// switch off every request reaches it as usual. Stopping the Api outright is done by stopping its host.
/// </summary>
public sealed class ApiFaults : IStartupFilter
{
    public const string CrashBody = "System.InvalidOperationException: Cannot open database 'notes' on db-internal:5432\n   at SecureStack.Api.Data.NoteQueries.ListAsync()";

    public static readonly TimeSpan HangFor = TimeSpan.FromSeconds(20);

    public ApiFault Current { get; set; }

    public void Install(IServiceCollection services) => services.AddSingleton<IStartupFilter>(this);

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            switch (Current)
            {
                case ApiFault.Hang:
                    await Task.Delay(HangFor, context.RequestAborted);
                    break;
                case ApiFault.Crash:
                    context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                    context.Response.Headers["X-Powered-By"] = "ASP.NET";
                    await context.Response.WriteAsync(CrashBody, context.RequestAborted);
                    return;
            }

            await nextMiddleware(context);
        });
        next(app);
    };
}
