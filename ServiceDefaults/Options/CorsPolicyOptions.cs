namespace SecureStack.ServiceDefaults.Options;

/// <summary>
/// The one CORS policy a service applies. No origin listed means no cross-origin browser access at all, the
/// safe default. A wildcard origin is refused outside Development (self-check) and with credentials always.
/// </summary>
public sealed class CorsPolicyOptions
{
    public const string SectionName = "Cors";
    public const string Wildcard = "*";

    /// <summary>Exact origins (scheme://host[:port]) that may call this service from a browser.</summary>
    public string[] AllowedOrigins { get; set; } = [];

    // Lists default to null, not to their defaults: the configuration binder appends to an existing array,
    // so a configured list could only ever widen a default one.
    public string[]? AllowedMethods { get; set; }

    public string[]? AllowedHeaders { get; set; }

    /// <summary>Response headers a browser script may read.</summary>
    public string[]? ExposedHeaders { get; set; }

    /// <summary>How long a browser may cache a preflight answer.</summary>
    public int MaxAgeSeconds { get; set; } = 600;

    /// <summary>Whether browsers may send cookies or HTTP authentication; never together with a wildcard origin.</summary>
    public bool AllowCredentials { get; set; }

    public bool AllowsAnyOrigin => AllowedOrigins.Contains(Wildcard);

    public IReadOnlyList<string> EffectiveMethods => AllowedMethods ?? ["GET", "POST", "PUT", "PATCH", "DELETE"];

    public IReadOnlyList<string> EffectiveHeaders => AllowedHeaders ?? ["Authorization", "Content-Type", "If-Match", "If-None-Match"];

    public IReadOnlyList<string> EffectiveExposedHeaders => ExposedHeaders ?? ["ETag", "Location", "Retry-After", "RateLimit", "RateLimit-Policy"];
}
