namespace SecureStack.Identity.Options;

/// <summary>
/// The <c>DataProtection</c> section: how the Data Protection key ring (login cookie, antiforgery tokens) is
/// protected at rest. The ring itself lives in the Identity database, shared by every replica.
/// </summary>
public sealed class KeyRingOptions
{
    public const string SectionName = "DataProtection";

    /// <summary>One name for every replica: payloads protected by one replica are readable by all the others.</summary>
    public const string ApplicationName = "SecureStack.Identity";

    /// <summary>
    /// PKCS#12 certificates with RSA keys (Path or Base64, and Password). The first encrypts each new key; every
    /// one listed can decrypt, so keep the previous certificate listed second while rotating. Required outside
    /// Development (the self-check stops start-up without one).
    /// </summary>
    public List<CertificateOptions> Certificates { get; set; } = [];
}
