namespace SecureStack.ServiceDefaults.Authentication;

/// <summary>
/// The claims Identity puts in an access token, read by their JWT names (inbound claim mapping is off, so
/// <c>sub</c> stays <c>sub</c> instead of becoming a long WS-Federation URI).
/// </summary>
public static class SecureStackClaimTypes
{
    public const string Subject = "sub";
    public const string ClientId = "client_id";
    public const string Scope = "scope";
    public const string Role = "role";

    /// <summary>The access token's own id (RFC 9068): what a single revocation denies.</summary>
    public const string TokenId = "jti";

    /// <summary>OpenIddict's authorization id: what a chain revocation (refresh-token replay, logout) denies.</summary>
    public const string AuthorizationId = "oi_au_id";
}
