using System.ComponentModel.DataAnnotations;

namespace SecureStack.Identity.Options;

/// <summary>The <c>Identity</c> section: how tokens are issued, by which keys, to which clients.</summary>
public sealed class TokenServerOptions
{
    public const string SectionName = "Identity";

    /// <summary>
    /// The stable <c>iss</c> of every token, e.g. the Gateway's public origin. Required outside Development so a
    /// token's issuer does not depend on which host name a request happened to use.
    /// </summary>
    public Uri? Issuer { get; set; }

    /// <summary>The resource (<c>aud</c>) the api.* scopes grant access to: the Api validates this value.</summary>
    [Required]
    public string Audience { get; set; } = "securestack-api";

    /// <summary>Short-lived by design: a stolen JWT cannot be recalled from a stateless resource server.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "00:15:00")]
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(10);

    [Range(typeof(TimeSpan), "00:05:00", "90.00:00:00")]
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(14);

    /// <summary>
    /// The device grant's polling <c>interval</c> (RFC 8628 3.2), sent with every device code. The Gateway's
    /// <c>token-device</c> policy admits 15 polls of one device code a minute: 12 at this interval, with room for
    /// jitter; a device polling faster gets <c>slow_down</c> there. Raise that limit before lowering this.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:05", "00:01:00")]
    public TimeSpan DevicePollingInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Folder (relative to the content root) for the SQLite file and the generated development keys.</summary>
    [Required]
    public string DataPath { get; set; } = ".data";

    /// <summary>RFC 9700 forbids the password grant; Development only, for the README's curl walk-through.</summary>
    public bool AllowPasswordGrant { get; set; }

    /// <summary>Lets OpenIddict answer plain HTTP, for the Gateway-to-Identity hop in Development only.</summary>
    public bool DisableTransportSecurityRequirement { get; set; }

    public TokenKeyOptions Keys { get; set; } = new();

    /// <summary>Clients keyed by client_id.</summary>
    public Dictionary<string, ClientOptions> Clients { get; set; } = new(StringComparer.Ordinal);

    public DemoUserOptions DemoUser { get; set; } = new();
}

public sealed class TokenKeyOptions
{
    /// <summary>
    /// Certificates whose keys sign tokens. All are published in the JWKS; OpenIddict signs with the valid one
    /// that expires last, so a certificate whose NotBefore is in the future is published before it signs.
    /// Empty: a development key is generated once under the data folder (refused outside Development).
    /// </summary>
    public List<CertificateOptions> SigningCertificates { get; set; } = [];

    /// <summary>Certificates that encrypt OpenIddict's own tokens (codes, refresh and device tokens).</summary>
    public List<CertificateOptions> EncryptionCertificates { get; set; } = [];
}

/// <summary>A PKCS#12 certificate from a file or from base64, with its password from a secret.</summary>
public sealed class CertificateOptions
{
    public string? Path { get; set; }

    public string? Base64 { get; set; }

    public string? Password { get; set; }
}

public sealed class ClientOptions
{
    public const string Confidential = "confidential";
    public const string Public = "public";

    public string? DisplayName { get; set; }

    /// <summary><c>confidential</c> (has a secret) or <c>public</c> (cannot keep one: browser, CLI).</summary>
    public string ClientType { get; set; } = Confidential;

    /// <summary>Hashed by OpenIddict before it is stored; comes from a secret parameter, never appsettings.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>client_credentials, authorization_code, refresh_token, urn:ietf:params:oauth:grant-type:device_code, password.</summary>
    public List<string> GrantTypes { get; set; } = [];

    public List<string> Scopes { get; set; } = [];

    public List<Uri> RedirectUris { get; set; } = [];

    public List<Uri> PostLogoutRedirectUris { get; set; } = [];

    /// <summary>Role claims given to this client's own (client_credentials) tokens.</summary>
    public List<string> Roles { get; set; } = [];

    /// <summary>For a resource server: may ask the introspection endpoint whether a token is still active.</summary>
    public bool AllowIntrospection { get; set; }
}

/// <summary>A user seeded in Development only so the walk-through has someone to log in as.</summary>
public sealed class DemoUserOptions
{
    public string? UserName { get; set; }

    public string? Password { get; set; }

    public List<string> Roles { get; set; } = [];

    public bool IsConfigured => !string.IsNullOrWhiteSpace(UserName);
}
