using System.Net.Security;
using System.Runtime.Versioning;
using System.Security.Authentication;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SecureStack.ServiceDefaults.Options;

namespace Microsoft.Extensions.Hosting;

public static class KestrelExtensions
{
    /// <summary>
    /// TLS 1.3's suites and, for TLS 1.2, only ECDHE with an AEAD cipher (Mozilla's "intermediate" profile without
    /// DHE): the CBC-SHA2 suites the platform would also offer are where TLS 1.2's padding-oracle attacks (Lucky
    /// Thirteen) live, and RSA key exchange has no forward secrecy. Kestrel takes a policy on Linux (OpenSSL) only;
    /// on Windows the suites are the operating system's (Schannel) configuration, see docs/deploy.md.
    /// </summary>
    [SupportedOSPlatform("linux")]
    private static readonly CipherSuitesPolicy AeadCipherSuites = new(
    [
        TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ]);

    /// <summary>
    /// Kestrel and JSON hardening: TLS 1.2/1.3 only with AEAD suites, no <c>Server</c> header, request limits from
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
                kestrel.ConfigureHttpsDefaults(https =>
                {
                    https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
                    if (OperatingSystem.IsLinux())
                    {
                        UseAeadCipherSuites(https);
                    }
                });
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

    [SupportedOSPlatform("linux")]
    private static void UseAeadCipherSuites(HttpsConnectionAdapterOptions https) =>
        https.OnAuthenticate = (_, tls) => tls.CipherSuitesPolicy = AeadCipherSuites;
}
