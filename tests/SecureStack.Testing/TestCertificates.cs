using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SecureStack.Testing;

/// <summary>Self-signed PKCS#12 certificates for Identity, as an operator would supply them (base64 + password).</summary>
public static class TestCertificates
{
    public const string Password = "pfx-password-for-tests";

    public static (string Base64, X509Certificate2 Public) Create(string name, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(notBefore, notAfter);
        var publicPart = X509CertificateLoader.LoadCertificate(certificate.Export(X509ContentType.Cert));
        return (Convert.ToBase64String(certificate.Export(X509ContentType.Pfx, Password)), publicPart);
    }

    /// <summary>Settings for a production-like server: fixed HTTPS issuer, configured certificates, no dev helpers.</summary>
    public static Dictionary<string, string?> ProductionSettings(string signingBase64, string encryptionBase64, string? nextSigningBase64 = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Identity:Issuer"] = "https://localhost/",
            ["Identity:Keys:SigningCertificates:0:Base64"] = signingBase64,
            ["Identity:Keys:SigningCertificates:0:Password"] = Password,
            ["Identity:Keys:EncryptionCertificates:0:Base64"] = encryptionBase64,
            ["Identity:Keys:EncryptionCertificates:0:Password"] = Password,
            ["DataProtection:Certificates:0:Base64"] = encryptionBase64,
            ["DataProtection:Certificates:0:Password"] = Password,
            ["Identity:DemoUser:Password"] = null,
            // As deployed behind the Gateway: TLS ends at the trusted proxy in front (the test server has no TLS).
            ["Https:TerminatedByProxy"] = "true",
            ["ForwardedHeaders:KnownProxies:0"] = "10.0.0.1",
        };
        if (nextSigningBase64 is not null)
        {
            settings["Identity:Keys:SigningCertificates:1:Base64"] = nextSigningBase64;
            settings["Identity:Keys:SigningCertificates:1:Password"] = Password;
        }

        return settings;
    }
}
