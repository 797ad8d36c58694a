using Microsoft.Extensions.Options;
using SecureStack.Identity.Options;
using SecureStack.ServiceDefaults.Security;

namespace SecureStack.Identity.TokenServer;

/// <summary>Settings that are acceptable for a local demo and dangerous anywhere else.</summary>
internal sealed class TokenServerSelfCheck(IOptions<TokenServerOptions> options) : ISecuritySelfCheck
{
    public IEnumerable<string> FindInsecureSettings()
    {
        var settings = options.Value;
        var section = TokenServerOptions.SectionName;

        if (settings.AllowPasswordGrant)
        {
            yield return $"{section}:AllowPasswordGrant is true: the password grant is forbidden by RFC 9700; set it to false and use authorization_code or the device flow.";
        }

        if (settings.Keys.SigningCertificates.Count == 0)
        {
            yield return $"{section}:Keys:SigningCertificates is empty, so a generated development key signs tokens: configure a certificate (Path or Base64, and Password).";
        }

        if (settings.Keys.EncryptionCertificates.Count == 0)
        {
            yield return $"{section}:Keys:EncryptionCertificates is empty, so a generated development key encrypts tokens: configure a certificate (Path or Base64, and Password).";
        }

        if (settings.DisableTransportSecurityRequirement)
        {
            yield return $"{section}:DisableTransportSecurityRequirement is true, so tokens may travel over plain HTTP: set it to false and terminate TLS in front of this service.";
        }

        if (settings.DemoUser.IsConfigured)
        {
            yield return $"{section}:DemoUser:UserName is set, so a demo account with a known password exists: remove the {section}:DemoUser section.";
        }

        foreach (var (clientId, client) in settings.Clients)
        {
            foreach (var (name, uris) in new[] { (nameof(client.RedirectUris), client.RedirectUris), (nameof(client.PostLogoutRedirectUris), client.PostLogoutRedirectUris) })
            {
                foreach (var uri in uris.Where(uri => uri.IsAbsoluteUri && uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback))
                {
                    yield return $"{section}:Clients:{clientId}:{name} contains '{uri}', so a code or a redirect would travel over plain HTTP, where it can be read or rewritten: use https:// (http:// only for a loopback address, RFC 8252 §7.3).";
                }
            }
        }
    }
}
