using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace SecureStack.Testing;

/// <summary>
/// Trusts the ASP.NET Core development certificate (created by eng/run.sh and eng/test.sh) explicitly and
/// nothing else: the chain must end at exactly that certificate. No "accept any certificate" shortcut.
/// </summary>
public static class DevelopmentCertificate
{
    private const string AspNetHttpsOid = "1.3.6.1.4.1.311.84.1.1";

    public static X509Certificate2 Load()
    {
        var exported = Environment.GetEnvironmentVariable("SECURESTACK_DEV_CERT");
        if (!string.IsNullOrEmpty(exported) && File.Exists(exported))
        {
            return X509CertificateLoader.LoadCertificateFromFile(exported);
        }

        using var store = new X509Store(StoreName.My, StoreLocation.CurrentUser);
        store.Open(OpenFlags.ReadOnly);
        return store.Certificates
            .Where(certificate => certificate.Extensions.Any(extension => extension.Oid?.Value == AspNetHttpsOid))
            .Where(certificate => certificate.NotAfter > DateTime.Now)
            .OrderByDescending(certificate => certificate.NotAfter)
            .FirstOrDefault()
            ?? throw new InvalidOperationException("No ASP.NET Core development certificate: run eng/test.sh (or dotnet dev-certs https).");
    }

    public static SocketsHttpHandler CreateHandler()
    {
        var trusted = Load();
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, errors) =>
        {
            if (presented is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            {
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(trusted);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(X509CertificateLoader.LoadCertificate(presented.GetRawCertData()));
        };
        return handler;
    }
}
