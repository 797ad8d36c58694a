using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using SecureStack.Identity.Data;
using SecureStack.Identity.Options;

namespace SecureStack.Identity.TokenServer;

/// <summary>
/// Loads the keys that sign access tokens and encrypt OpenIddict's own tokens. Never ephemeral: configured
/// certificates outside Development, and in Development RSA keys generated once and kept in the data folder so
/// that tokens issued before a restart still validate after it.
/// </summary>
public sealed class TokenKeyRing(IOptions<TokenServerOptions> options, IHostEnvironment environment, DataFolder dataFolder)
{
    public const string DevelopmentSigningKeyFile = "signing-key.pem";
    public const string DevelopmentEncryptionKeyFile = "encryption-key.pem";

    public IReadOnlyList<SigningCredentials> SigningCredentials() =>
        options.Value.Keys.SigningCertificates.Count == 0
            ? [new SigningCredentials(DevelopmentKey(DevelopmentSigningKeyFile), SecurityAlgorithms.RsaSha256)]
            : [.. options.Value.Keys.SigningCertificates.Select(certificate =>
                new SigningCredentials(new X509SecurityKey(Load(certificate)), SecurityAlgorithms.RsaSha256))];

    public IReadOnlyList<EncryptingCredentials> EncryptingCredentials() =>
        options.Value.Keys.EncryptionCertificates.Count == 0
            ? [Encrypting(DevelopmentKey(DevelopmentEncryptionKeyFile))]
            : [.. options.Value.Keys.EncryptionCertificates.Select(certificate => Encrypting(new X509SecurityKey(Load(certificate))))];

    private static EncryptingCredentials Encrypting(SecurityKey key) =>
        new(key, SecurityAlgorithms.RsaOAEP, SecurityAlgorithms.Aes256CbcHmacSha512);

    /// <summary>A configured PKCS#12 certificate with its RSA private key (also used for the Data Protection key ring).</summary>
    internal static X509Certificate2 Load(CertificateOptions certificate)
    {
        // EphemeralKeySet: the private key stays in memory, never written to a key store on disk.
        var flags = X509KeyStorageFlags.EphemeralKeySet;
        var loaded = string.IsNullOrWhiteSpace(certificate.Path)
            ? X509CertificateLoader.LoadPkcs12(Convert.FromBase64String(certificate.Base64!), certificate.Password, flags)
            : X509CertificateLoader.LoadPkcs12FromFile(certificate.Path, certificate.Password, flags);

        if (!loaded.HasPrivateKey || loaded.GetRSAPrivateKey() is null)
        {
            throw new InvalidOperationException(
                $"The certificate {loaded.Subject} ({loaded.Thumbprint}) has no RSA private key: export it as PKCS#12 with its key.");
        }

        return loaded;
    }

    private RsaSecurityKey DevelopmentKey(string fileName)
    {
        if (!environment.IsDevelopment())
        {
            // Belt and braces: the options validator and the self-check already refuse this outside Development.
            throw new InvalidOperationException(
                $"{TokenServerOptions.SectionName}:Keys has no certificate and generated keys are for Development only.");
        }

        var path = dataFolder.PathFor("keys", fileName);
        var rsa = RSA.Create();
        if (!File.Exists(path))
        {
            using var generated = RSA.Create(3072);
            try
            {
                // CreateNew: if two processes race, the loser reads the winner's key instead of replacing it.
                using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
                using var writer = new StreamWriter(stream);
                writer.Write(generated.ExportPkcs8PrivateKeyPem());
            }
            catch (IOException) when (File.Exists(path))
            {
            }

            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        rsa.ImportFromPem(File.ReadAllText(path));

        // A stable key id derived from the public key, so the kid in old tokens still finds this key in the JWKS.
        var keyId = Base64UrlEncoder.Encode(SHA256.HashData(rsa.ExportSubjectPublicKeyInfo()).AsSpan(0, 16).ToArray());
        return new RsaSecurityKey(rsa) { KeyId = keyId };
    }
}
