using System.Globalization;
using System.Text;

namespace SecureStack.Gateway.RateLimiting;

/// <summary>
/// The IETF rate-limit fields (draft-ietf-httpapi-ratelimit-headers, structured-field lists), one item per policy
/// the request passed through: <c>RateLimit-Policy: "per-ip";q=100;w=60</c> and <c>RateLimit: "per-ip";r=42;t=17</c>.
/// The partition key parameter (<c>pk</c>) is never sent: it would echo the address or user it is keyed on.
/// </summary>
internal static class RateLimitHeaders
{
    public const string Policy = "RateLimit-Policy";
    public const string Limit = "RateLimit";

    public static string FormatPolicies(IEnumerable<RateLimitDecision> decisions)
    {
        var builder = new StringBuilder();
        foreach (var decision in decisions)
        {
            Separate(builder).Append('"').Append(decision.Policy.Name).Append("\";q=")
                .Append(decision.Policy.Options.PermitLimit.ToString(CultureInfo.InvariantCulture));
            if (!decision.Policy.IsConcurrency)
            {
                builder.Append(";w=").Append(decision.Policy.Options.WindowSeconds.ToString(CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    /// <summary>Only policies whose state is known: an Open fallback admitted without counting, so it says nothing.</summary>
    public static string FormatLimits(IEnumerable<RateLimitDecision> decisions)
    {
        var builder = new StringBuilder();
        foreach (var decision in decisions)
        {
            var remaining = decision.Admitted ? decision.Remaining : 0;
            if (remaining is null)
            {
                continue;
            }

            Separate(builder).Append('"').Append(decision.Policy.Name).Append("\";r=")
                .Append(remaining.Value.ToString(CultureInfo.InvariantCulture));
            if (decision.ResetSeconds is { } reset)
            {
                builder.Append(";t=").Append(reset.ToString(CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    private static StringBuilder Separate(StringBuilder builder) => builder.Length > 0 ? builder.Append(", ") : builder;
}
