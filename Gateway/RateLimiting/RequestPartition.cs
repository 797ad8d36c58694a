using System.Security.Cryptography;
using System.Text;

namespace SecureStack.Gateway.RateLimiting;

/// <summary>One rate-limit partition: what it is keyed on (for logs, spans and metrics) and the key itself.</summary>
/// <param name="Kind">ip, subject, client, username or global: safe to log and to use as a metric label.</param>
/// <param name="Value">The raw identifier: never logged, never a metric label, only hashed into the Redis key.</param>
internal readonly record struct RequestPartition(string Kind, string Value)
{
    public const string Ip = "ip";
    public const string Subject = "subject";
    public const string Client = "client";
    public const string UserName = "username";
    public const string Global = "global";

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
