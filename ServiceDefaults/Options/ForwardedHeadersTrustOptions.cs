namespace SecureStack.ServiceDefaults.Options;

/// <summary>
/// Which peers may tell this service the client's address and scheme through <c>X-Forwarded-*</c>. Empty (the
/// default, and right for the Gateway, which is the edge) trusts nobody: the headers are ignored.
/// </summary>
public sealed class ForwardedHeadersTrustOptions
{
    public const string SectionName = "ForwardedHeaders";

    /// <summary>Proxy addresses, e.g. the Gateway's.</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Proxy networks in CIDR notation, e.g. <c>10.0.0.0/24</c>.</summary>
    public string[] KnownNetworks { get; set; } = [];

    /// <summary>
    /// Also take the host the client asked for from a trusted proxy's <c>X-Forwarded-Host</c>: for a service
    /// that writes its public URLs into responses (Identity's discovery document) behind the Gateway.
    /// </summary>
    public bool ForwardHost { get; set; }

    /// <summary>How many proxy hops to unwind; one Gateway means one.</summary>
    public int ForwardLimit { get; set; } = 1;

    public bool TrustsAnyone => KnownProxies.Length > 0 || KnownNetworks.Length > 0;
}
