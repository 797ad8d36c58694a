namespace SecureStack.ServiceDefaults.Options;

public sealed class HttpsOptions
{
    public const string SectionName = "Https";

    /// <summary>
    /// True when a trusted proxy (listed in <c>ForwardedHeaders</c>) terminates TLS in front of this service,
    /// as a platform ingress does: the service then needs no certificate of its own, and the forwarded scheme
    /// decides whether a request was HTTPS.
    /// </summary>
    public bool TerminatedByProxy { get; set; }
}
