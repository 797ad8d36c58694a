using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

public static class TelemetryExtensions
{
    /// <summary>
    /// Logs, metrics and traces for ASP.NET Core, HttpClient and the runtime, exported by OTLP when the
    /// orchestrator provides an endpoint (the Aspire dashboard). Redis tracing is added by the Redis client
    /// integration where a service uses Redis.
    /// </summary>
    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation())
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddAspNetCoreInstrumentation(options =>
                {
                    // Probes every few seconds would drown the traces people come to read.
                    options.Filter = context => !HealthExtensions.IsHealthPath(context.Request.Path);
                    // The orchestrator may switch the instrumentation's own query redaction off (Aspire does, in
                    // Development): a token sent as ?access_token= would then be exported in url.query. Redact
                    // here, after the instrumentation has set the tag, whatever the switch says.
                    options.EnrichWithHttpRequest = (activity, request) =>
                    {
                        if (request.QueryString.HasValue)
                        {
                            activity.SetTag(UrlQueryTag, RedactQuery(request.QueryString.Value!));
                        }
                    };
                })
                .AddHttpClientInstrumentation());

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    private const string UrlQueryTag = "url.query";

    /// <summary>Keeps the parameter names (useful when reading a trace) and replaces every value.</summary>
    internal static string RedactQuery(string query)
    {
        var parameters = query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(parameter => parameter.Split('=', 2)[0] + "=Redacted");
        return "?" + string.Join('&', parameters);
    }
}
