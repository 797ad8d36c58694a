using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SecureStack.ServiceDefaults.Options;
using SecureStack.ServiceDefaults.Security;

namespace Microsoft.Extensions.Hosting;

public static class HttpsExtensions
{
    /// <summary>
    /// Outside Development a service must serve HTTPS itself (a configured certificate) or sit behind a trusted
    /// TLS-terminating proxy; the self-check refuses to start otherwise. TLS versions are set in
    /// <see cref="KestrelExtensions.AddRequestHardening{TBuilder}"/>.
    /// </summary>
    public static TBuilder AddHttpsRequirement<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<HttpsOptions>().BindConfiguration(HttpsOptions.SectionName);
        builder.Services.AddSecuritySelfCheck<HttpsSelfCheck>();
        return builder;
    }

    /// <summary>Outside Development, plain HTTP is redirected to HTTPS (health probes excepted).</summary>
    public static WebApplication UseHttpsOutsideDevelopment(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseWhen(context => !HealthExtensions.IsHealthPath(context.Request.Path), https => https.UseHttpsRedirection());
        }

        return app;
    }

    private sealed class HttpsSelfCheck(
        IConfiguration configuration,
        IOptions<HttpsOptions> https,
        IOptions<ForwardedHeadersTrustOptions> forwarded) : ISecuritySelfCheck
    {
        public IEnumerable<string> FindInsecureSettings()
        {
            if (https.Value.TerminatedByProxy)
            {
                if (!forwarded.Value.TrustsAnyone)
                {
                    yield return "Https:TerminatedByProxy is true but ForwardedHeaders:KnownProxies/KnownNetworks is empty: name the proxy that terminates TLS, or serve HTTPS here.";
                }

                yield break;
            }

            var urls = configuration["urls"] ?? configuration["ASPNETCORE_URLS"] ?? configuration["http_ports"] ?? string.Empty;
            var endpoints = configuration.GetSection("Kestrel:Endpoints").GetChildren()
                .Select(endpoint => endpoint["Url"] ?? string.Empty);
            var servesHttps = urls.Contains("https://", StringComparison.OrdinalIgnoreCase)
                || !string.IsNullOrEmpty(configuration["https_ports"])
                || endpoints.Any(url => url.StartsWith("https://", StringComparison.OrdinalIgnoreCase));
            var hasCertificate = NamesCertificate(configuration.GetSection("Kestrel:Certificates:Default"))
                || configuration.GetSection("Kestrel:Endpoints").GetChildren().Any(endpoint => NamesCertificate(endpoint.GetSection("Certificate")));

            if (!servesHttps)
            {
                yield return "No HTTPS endpoint: add an https:// URL (ASPNETCORE_URLS or Kestrel:Endpoints), or set Https:TerminatedByProxy=true behind a trusted TLS-terminating proxy.";
            }
            else if (!hasCertificate)
            {
                yield return "No certificate for HTTPS: set Kestrel:Certificates:Default:Path and Kestrel:Certificates:Default:Password (from a secret).";
            }
        }

        // A file (Path) or a certificate store entry (Subject) is a certificate; a password alone is not.
        private static bool NamesCertificate(IConfigurationSection certificate) =>
            !string.IsNullOrEmpty(certificate["Path"]) || !string.IsNullOrEmpty(certificate["Subject"]);
    }
}
