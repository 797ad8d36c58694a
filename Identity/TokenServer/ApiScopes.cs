namespace SecureStack.Identity.TokenServer;

/// <summary>The scopes of the Api resource; each grants the configured audience.</summary>
public static class ApiScopes
{
    public const string Read = "api.read";
    public const string Write = "api.write";
    public const string Admin = "api.admin";

    public static readonly IReadOnlyList<string> All = [Read, Write, Admin];
}
