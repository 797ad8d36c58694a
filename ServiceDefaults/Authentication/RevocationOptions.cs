using System.ComponentModel.DataAnnotations;

namespace SecureStack.ServiceDefaults.Authentication;

/// <summary>How token validation consults the shared list of revoked access tokens (section <c>Revocation</c>).</summary>
public sealed class RevocationOptions
{
    public const string SectionName = "Revocation";

    /// <summary>
    /// How long one lookup may take before the token is accepted anyway (and event 4012 logged). It rides on every
    /// authenticated request, so it is short; a Redis outage must cost each request this much at most.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:05")]
    public TimeSpan LookupBudget { get; set; } = TimeSpan.FromMilliseconds(100);
}
