namespace SecureStack.AppHost.Extensions;

/// <summary>
/// What a published deployment needs that a local run does not. Locally the services run in Development (generated
/// keys, the dev certificate, loopback proxies); published, a platform ingress terminates TLS in front of them
/// and Identity must sign with real certificates. Nothing here changes a local run.
/// </summary>
public static class PublishExtensions
{
    public const string IngressNetworkParameter = "ingress-network";

    /// <summary>
    /// The address range of the platform's ingress (Container Apps' Envoy), asked for at deploy time; no default,
    /// because a guessed range either trusts too much or breaks HTTPS detection. Null when running locally.
    /// </summary>
    public static IResourceBuilder<ParameterResource>? AddIngressNetwork(this IDistributedApplicationBuilder builder) =>
        builder.ExecutionContext.IsPublishMode
            ? builder.AddParameter(IngressNetworkParameter)
                .WithDescription("CIDR of the ingress in front of the services, e.g. the Container Apps environment's infrastructure subnet. Never 0.0.0.0/0.")
            : null;

    /// <summary>
    /// TLS ends at the ingress: the service serves plain HTTP to it and believes its <c>X-Forwarded-*</c> only.
    /// Without both settings the HTTPS self-check stops start-up (or, worse, every client would look like the
    /// ingress).
    /// </summary>
    public static IResourceBuilder<ProjectResource> BehindIngress(
        this IResourceBuilder<ProjectResource> service, IResourceBuilder<ParameterResource>? ingressNetwork) =>
        ingressNetwork is null
            ? service
            : service
                .WithEnvironment("Https__TerminatedByProxy", "true")
                .WithEnvironment("ForwardedHeaders__KnownNetworks__0", ingressNetwork);

    public const string GatewayPublicHostsParameter = "gateway-public-hosts";

    /// <summary>
    /// The host names clients use to reach the Gateway (its <c>AllowedHosts</c>), asked for at deploy time: the
    /// Gateway refuses to start outside Development without them, and refuses any other Host header when running.
    /// Locally its Development settings name the loopback hosts.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithPublicHostNames(this IResourceBuilder<ProjectResource> gateway)
    {
        if (!gateway.ApplicationBuilder.ExecutionContext.IsPublishMode)
        {
            return gateway;
        }

        var hosts = gateway.ApplicationBuilder.AddParameter(GatewayPublicHostsParameter)
            .WithDescription("Host names clients use to reach the Gateway, separated by ';', e.g. api.example.com. Never *.");
        return gateway.WithEnvironment("AllowedHosts", hosts);
    }

    /// <summary>The Gateway also partitions rate limits by the client address the ingress forwards.</summary>
    public static IResourceBuilder<ProjectResource> WithIngressClientAddresses(
        this IResourceBuilder<ProjectResource> gateway, IResourceBuilder<ParameterResource>? ingressNetwork) =>
        ingressNetwork is null ? gateway : gateway.WithEnvironment("RateLimiting__TrustedProxies__0", ingressNetwork);

    /// <summary>
    /// Identity's certificates (base64 PKCS#12 and password) as secret parameters without a default: the deployer
    /// supplies them, azd asks. They sign tokens, encrypt OpenIddict's own tokens, and encrypt the Data Protection
    /// key ring at rest. Locally Identity generates Development keys and leaves the ring unencrypted instead.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithPublishedCertificates(
        this IResourceBuilder<ProjectResource> identity, IDistributedApplicationBuilder builder)
    {
        if (!builder.ExecutionContext.IsPublishMode)
        {
            return identity;
        }

        foreach (var (purpose, use, setting) in new[]
        {
            ("signing", "token signing", "Identity__Keys__SigningCertificates__0"),
            ("encryption", "token encryption", "Identity__Keys__EncryptionCertificates__0"),
            ("data-protection", "encrypting the Data Protection key ring", "DataProtection__Certificates__0"),
        })
        {
            var certificate = builder.AddParameter($"identity-{purpose}-certificate", secret: true)
                .WithDescription($"Base64 of the PKCS#12 file with the RSA key for {use}.");
            var password = builder.AddParameter($"identity-{purpose}-certificate-password", secret: true)
                .WithDescription($"Password of the {purpose} PKCS#12 file.");
            identity
                .WithEnvironment($"{setting}__Base64", certificate)
                .WithEnvironment($"{setting}__Password", password);
        }

        return identity;
    }
}
