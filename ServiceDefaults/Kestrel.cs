using System.Security.Authentication;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SecureStack.ServiceDefaults.Options;

namespace Microsoft.Extensions.Hosting;

public static class KestrelExtensions
{
    /// <summary>
    /// Kestrel and JSON hardening: TLS 1.2/1.3 only, no <c>Server</c> header, request limits from
    /// <see cref="RequestLimitsOptions"/>, and JSON that rejects unknown members (mass assignment), duplicate
    /// properties and deep nesting.
    /// </summary>
    public static TBuilder AddRequestHardening<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<RequestLimitsOptions>()
            .BindConfiguration(RequestLimitsOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddOptions<KestrelServerOptions>()
            .Configure<IOptions<RequestLimitsOptions>>((kestrel, limits) =>
            {
                kestrel.AddServerHeader = false;
                kestrel.Limits.MaxRequestBodySize = limits.Value.MaxRequestBodyBytes;
                kestrel.Limits.MaxRequestHeadersTotalSize = limits.Value.MaxRequestHeadersTotalBytes;
                kestrel.Limits.MaxRequestHeaderCount = limits.Value.MaxRequestHeaderCount;
                kestrel.Limits.MaxRequestLineSize = limits.Value.MaxRequestLineBytes;
                kestrel.ConfigureHttpsDefaults(https => https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13);
            });

        builder.Services.AddOptions<JsonOptions>()
            .Configure<IOptions<RequestLimitsOptions>>((json, limits) =>
            {
                json.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
                // {"title":"a","Title":"b"}: which value wins depends on the parser, so a check in front of us and
                // the handler could read different ones (parser differential). Refused, never resolved.
                json.SerializerOptions.AllowDuplicateProperties = false;
                json.SerializerOptions.MaxDepth = limits.Value.MaxJsonDepth;
            });

        return builder;
    }
}
