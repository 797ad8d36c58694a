using SecureStack.Identity.TokenServer;

namespace SecureStack.Identity.Extensions;

public static class RevocationExtensions
{
    /// <summary>
    /// Revocations reach every resource server: what OpenIddict validated and revoked (a single access token, or a
    /// whole authorization when a refresh token is revoked or replayed) goes on the deny-list in the Redis the
    /// Gateway and the Api replicate (<c>ConnectionStrings:redis</c>). Without Redis the self-check stops start-up
    /// outside Development.
    /// </summary>
    public static WebApplicationBuilder AddRevocationSharing(this WebApplicationBuilder builder)
    {
        builder.AddSecureStackRevocationPublishing();
        builder.Services.AddScoped<RevocationPublisher>();
        builder.Services.AddOpenIddict()
            .AddCore(core => core
                .ReplaceTokenManager(typeof(PublishingTokenManager<>))
                .ReplaceAuthorizationManager(typeof(PublishingAuthorizationManager<>)))
            .AddServer(server => server
                .AddEventHandler(RequireTokenIssuedToCaller.Descriptor)
                .AddEventHandler(PublishRevocation.Descriptor)
                .AddEventHandler(RepublishRevokedToken.Descriptor)
                .AddEventHandler(AnswerUnavailableWith503.Descriptor));
        return builder;
    }
}
