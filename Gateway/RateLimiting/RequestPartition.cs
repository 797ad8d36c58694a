using System.Security.Cryptography;
using System.Text;

namespace SecureStack.Gateway.RateLimiting;

/// <summary>One rate-limit partition: what it is keyed on (for logs, spans and metrics) and the key itself.</summary>
/// <param name="Kind">One of the constants below: safe to log and to use as a metric label.</param>
/// <param name="Value">The identifier: never logged, never a metric label, only hashed into the Redis key.</param>
internal readonly record struct RequestPartition(string Kind, string Value)
{
    public const string Ip = "ip";
    public const string Subject = "subject";
    public const string Client = "client";
    public const string UserName = "username";
    public const string UserNameAtAddress = "username_address";
    public const string ClientAtAddress = "client_address";
    public const string RefreshToken = "refresh_token";
    public const string AuthorizationCode = "authorization_code";
    public const string DeviceCode = "device_code";
    public const string Global = "global";

    /// <summary>
    /// A partition keyed on a bearer secret (a refresh token, a code): only its digest is kept, so the Gateway's
    /// partition cache holds no usable token and a junk token of any length costs the same small entry.
    /// </summary>
    public static RequestPartition ForSecret(string kind, string secret) =>
        new(kind, Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(secret))));

    /// <summary>An identifier that only counts together with the address it came from.</summary>
    public static RequestPartition AtAddress(string kind, string identifier, string address) =>
        new(kind, $"{identifier}\n{address}");

    /// <summary>
    /// A fixed-length digest of the value: bounded Redis keys whatever a client sends, and no user names or
    /// addresses readable by whoever can list the keys.
    /// </summary>
    public string Hash()
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(Value), digest);
        return Convert.ToHexStringLower(digest[..16]);
    }
}
