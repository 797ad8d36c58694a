using System.Globalization;

namespace SecureStack.ServiceDefaults.Authentication;

/// <summary>What a revocation denies: one access token (its <c>jti</c>) or every access token of an authorization.</summary>
public enum RevocationKind
{
    /// <summary>One access token, by its <c>jti</c>.</summary>
    Token,

    /// <summary>Every access token of an OpenIddict authorization (<c>oi_au_id</c>): a chain ended by replay or logout.</summary>
    Authorization,
}

/// <summary>
/// One entry of the deny-list, until <see cref="Expires"/> (when the last token it denies has expired anyway).
/// In Redis it is a member of one sorted set (<c>t:&lt;jti&gt;</c> or <c>a:&lt;authorization id&gt;</c>) scored by
/// its expiry in Unix milliseconds, and on the channel the message <c>&lt;expiry&gt;|&lt;member&gt;</c>.
/// </summary>
public readonly record struct RevocationEntry(RevocationKind Kind, string Id, DateTimeOffset Expires)
{
    /// <summary>OpenIddict writes GUIDs (36 characters); anything much longer is not one of its ids.</summary>
    public const int MaxIdLength = 128;

    private const string TokenPrefix = "t:";
    private const string AuthorizationPrefix = "a:";

    public string Member => (Kind == RevocationKind.Token ? TokenPrefix : AuthorizationPrefix) + Id;

    public double Score => Expires.ToUnixTimeMilliseconds();

    public string Message => Expires.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) + "|" + Member;

    /// <summary>Bounded, printable ASCII: an id is a key in every service's memory and in Redis.</summary>
    public static bool IsValidId(string? id) =>
        id is { Length: > 0 and <= MaxIdLength } && id.All(character => character is > ' ' and < '\u007f');

    public static bool TryParse(string? member, double score, out RevocationEntry entry)
    {
        entry = default;
        if (member is null || double.IsNaN(score) || double.IsInfinity(score))
        {
            return false;
        }

        var kind = member.StartsWith(TokenPrefix, StringComparison.Ordinal) ? RevocationKind.Token
            : member.StartsWith(AuthorizationPrefix, StringComparison.Ordinal) ? RevocationKind.Authorization
            : (RevocationKind?)null;
        var id = member.Length > 2 ? member[2..] : null;
        if (kind is null || !IsValidId(id) || score < 0 || score > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            return false;
        }

        entry = new RevocationEntry(kind.Value, id!, DateTimeOffset.FromUnixTimeMilliseconds((long)score));
        return true;
    }

    public static bool TryParseMessage(string? message, out RevocationEntry entry)
    {
        entry = default;
        var separator = message?.IndexOf('|', StringComparison.Ordinal) ?? -1;
        return message is not null && separator > 0
            && long.TryParse(message.AsSpan(0, separator), NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
            && TryParse(message[(separator + 1)..], expires, out entry);
    }
}
