using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace SecureStack.ServiceDefaults.Authentication;

/// <summary>
/// How a service validates the access tokens Identity issues. Bound from <see cref="SectionName"/>.
/// </summary>
public sealed class SecureStackJwtOptions
{
    public const string SectionName = "Authentication:Jwt";
    public const string DefaultAudience = "securestack-api";

    /// <summary>
    /// Where Identity is reached from inside the application, resolved through service discovery
    /// (<c>https://identity</c>; <c>https+http://identity</c> in Development). Discovery and JWKS are fetched here.
    /// </summary>
    [Required]
    public string Authority { get; set; } = string.Empty;

    /// <summary>Overrides <c>{Authority}/.well-known/openid-configuration</c>.</summary>
    public string? MetadataAddress { get; set; }

    /// <summary>
    /// The exact <c>iss</c> Identity writes into its tokens: its public address, which differs from the internal
    /// <see cref="Authority"/>. Documents that name this issuer's URLs (the <c>jwks_uri</c>) are fetched through
    /// the authority instead.
    /// </summary>
    public string? Issuer { get; set; }

    [Required]
    public string Audience { get; set; } = DefaultAudience;

    /// <summary>Unset means: required everywhere except Development.</summary>
    public bool? RequireHttpsMetadata { get; set; }

    /// <summary>Tolerated clock difference. Identity's tokens live 15 minutes; more than 30 s of grace is a gift to a thief.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:30")]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The shortest time between two JWKS refreshes forced by a token with an unknown <c>kid</c>. Bounded below so
    /// a client spraying random key ids cannot turn every request into a request to Identity.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:30", "01:00:00")]
    public TimeSpan JwksRefreshInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a token that validated is remembered, so the same token on the next requests skips parsing and the
    /// signature check (never past its <c>exp</c>, never once its signing key has left the JWKS; revocation is
    /// still checked each time). Zero turns it off.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan ValidatedTokenCacheDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How often signing keys are fetched again whatever the traffic: a key Identity publishes ahead of use is known
    /// within this time, and a key it withdraws in an emergency stops validating within it. One small request per
    /// interval and instance; the lower bound only stops a typo from turning it into a flood.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan JwksAutomaticRefreshInterval { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>Cross-field rules; every error is reported at once so one restart fixes them all.</summary>
public sealed class SecureStackJwtOptionsValidator : IValidateOptions<SecureStackJwtOptions>
{
    private static readonly string[] AuthoritySchemes = ["https", "http", "https+http", "http+https"];

    public ValidateOptionsResult Validate(string? name, SecureStackJwtOptions options)
    {
        var errors = new List<string>();

        if (!string.IsNullOrWhiteSpace(options.Authority) && !IsAbsolute(options.Authority, AuthoritySchemes))
        {
            errors.Add($"{SecureStackJwtOptions.SectionName}:Authority must be an absolute address such as https://identity (got '{options.Authority}').");
        }

        if (!string.IsNullOrWhiteSpace(options.MetadataAddress) && !IsAbsolute(options.MetadataAddress, AuthoritySchemes))
        {
            errors.Add($"{SecureStackJwtOptions.SectionName}:MetadataAddress must be an absolute address (got '{options.MetadataAddress}').");
        }

        if (!string.IsNullOrWhiteSpace(options.Issuer) && !IsAbsolute(options.Issuer, ["https", "http"]))
        {
            errors.Add($"{SecureStackJwtOptions.SectionName}:Issuer must be the absolute URI Identity puts in 'iss' (got '{options.Issuer}').");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static bool IsAbsolute(string value, string[] schemes) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && schemes.Contains(uri.Scheme, StringComparer.OrdinalIgnoreCase)
        && !string.IsNullOrEmpty(uri.Host);
}
