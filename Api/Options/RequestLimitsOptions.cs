using System.ComponentModel.DataAnnotations;

namespace SecureStack.Api.Options;

/// <summary>Resource-consumption bounds for request bodies (OWASP API4).</summary>
public sealed class RequestLimitsOptions
{
    public const string SectionName = "RequestLimits";

    /// <summary>
    /// The largest request body accepted. A note at its size limits, JSON-escaped, fits in 64 KiB; anything larger
    /// is refused with 413 before it is parsed.
    /// </summary>
    [Range(1024, 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 64 * 1024;
}
