using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SecureStack.ServiceDefaults.Tests.Baseline;

/// <summary>
/// A self-signed server certificate for 127.0.0.1, written to a temporary .pfx the way an operator would
/// supply one (Kestrel:Certificates:Default:Path + Password). Clients trust exactly this certificate.
/// </summary>
public sealed class TestCertificate : IDisposable
{
    public const string Password = "test-only-pfx-password";

    private TestCertificate(X509Certificate2 certificate, string path)
    {
        Certificate = certificate;
        Path = path;
    }

    public X509Certificate2 Certificate { get; }

    public string Path { get; }

    public static TestCertificate Create()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));

        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"securestack-test-{Guid.NewGuid():N}.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, Password));
        return new TestCertificate(X509CertificateLoader.LoadPkcs12FromFile(path, Password), path);
    }

    /// <summary>Certificate pinning for the test client: this certificate and no other, chain errors aside.</summary>
    public bool IsThisCertificate(X509Certificate? presented) =>
        presented is not null && presented.GetCertHashString(HashAlgorithmName.SHA256) == Certificate.GetCertHashString(HashAlgorithmName.SHA256);

    public void Dispose()
    {
        Certificate.Dispose();
        File.Delete(Path);
    }
}
