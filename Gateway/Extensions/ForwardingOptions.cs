using System.ComponentModel.DataAnnotations;

namespace SecureStack.Gateway.Extensions;

/// <summary>The <c>Forwarding</c> section: named time limits routes pick with YARP's <c>TimeoutPolicy</c>.</summary>
public sealed class ForwardingOptions
{
    public const string SectionName = "Forwarding";

    /// <summary>Policy name → seconds a request may take end to end before the Gateway answers 504.</summary>
    [Required]
    public Dictionary<string, int> TimeoutPolicies { get; set; } = new(StringComparer.Ordinal);
}
