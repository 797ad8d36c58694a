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
}
