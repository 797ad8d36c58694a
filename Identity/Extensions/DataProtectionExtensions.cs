using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;
using SecureStack.Identity.Data;
using SecureStack.Identity.Options;
using SecureStack.Identity.TokenServer;
using SecureStack.ServiceDefaults.Security;

namespace SecureStack.Identity.Extensions;

public static class DataProtectionExtensions
{
    /// <summary>
    /// The Data Protection key ring behind the login cookie and antiforgery tokens, in the Identity database:
    /// every replica reads and writes the same ring, so a cookie issued by one is accepted by all, and the ring
    /// is as durable (and backed up) as the accounts themselves. Redis would also be shared, but this stack runs
    /// it as a cache without persistence: a Redis restart would sign everyone out. Outside Development each key
    /// is encrypted with a configured certificate before it is stored.
    /// </summary>
    public static IHostApplicationBuilder AddSharedDataProtection(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<KeyRingOptions>()
            .BindConfiguration(KeyRingOptions.SectionName)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<KeyRingOptions>, KeyRingOptionsValidator>();
        builder.Services.AddSecuritySelfCheck<KeyRingSelfCheck>();

        var dataProtection = builder.Services.AddDataProtection()
            .SetApplicationName(KeyRingOptions.ApplicationName)
            .PersistKeysToDbContext<ApplicationDbContext>();

        // Read at registration: the framework takes the decryption certificates only here. Entries with neither
        // or both of Path and Base64 are left to the options validator, which stops start-up naming them.
        var certificates = (builder.Configuration.GetSection(KeyRingOptions.SectionName).Get<KeyRingOptions>() ?? new()).Certificates
            .Where(certificate => string.IsNullOrWhiteSpace(certificate.Path) != string.IsNullOrWhiteSpace(certificate.Base64))
            .Select(TokenKeyRing.Load)
            .ToArray();
        if (certificates.Length > 0)
        {
            dataProtection.ProtectKeysWithCertificate(certificates[0]).UnprotectKeysWithAnyCertificate(certificates);
        }

        return builder;
    }

    /// <summary>Asks the key manager itself, so the finding reflects what is applied, not what was meant.</summary>
    private sealed class KeyRingSelfCheck(IOptions<KeyManagementOptions> keyManagement) : ISecuritySelfCheck
    {
        public IEnumerable<string> FindInsecureSettings()
        {
            if (keyManagement.Value.XmlEncryptor is null)
            {
                yield return $"{KeyRingOptions.SectionName}:Certificates is empty, so the Data Protection keys behind login cookies and antiforgery tokens are stored unencrypted in the database: configure a certificate (Path or Base64, and Password).";
            }
        }
    }
}
