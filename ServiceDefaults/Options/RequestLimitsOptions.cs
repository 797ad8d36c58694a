using System.ComponentModel.DataAnnotations;

namespace SecureStack.ServiceDefaults.Options;

/// <summary>
/// Request size limits, set deliberately rather than left at the server's defaults: every byte a client can
/// make a service buffer or parse is a resource it can exhaust (OWASP API4).
/// </summary>
public sealed class RequestLimitsOptions
{
    public const string SectionName = "RequestLimits";

    /// <summary>Largest request body; larger is 413.</summary>
    [Range(1_024, 100 * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>All request headers together; larger is 431. Room for a large access token, not for abuse.</summary>
    [Range(4 * 1024, 64 * 1024)]
    public int MaxRequestHeadersTotalBytes { get; set; } = 16 * 1024;

    [Range(10, 200)]
    public int MaxRequestHeaderCount { get; set; } = 64;

    /// <summary>Method, target and version; longer is 414.</summary>
    [Range(1_024, 16 * 1024)]
    public int MaxRequestLineBytes { get; set; } = 8 * 1024;

    /// <summary>JSON nesting depth; deeper documents are rejected before they cost stack or CPU.</summary>
    [Range(4, 64)]
    public int MaxJsonDepth { get; set; } = 32;
}
