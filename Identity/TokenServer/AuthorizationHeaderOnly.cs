using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace SecureStack.Identity.TokenServer;

/// <summary>
/// Refuses a userinfo request that carries its access token as an <c>access_token</c> query or form parameter
/// (RFC 6750 §2.2-2.3, forbidden by OAuth 2.1 for the query and discouraged by RFC 9700 §4.3.2): a token in a URL is
/// written to access logs, traces, browser history and Referer headers. OpenIddict's server has no switch for this
/// (its validation stack has <c>DisableAccessTokenExtractionFromQueryString</c>, the server does not), so the
/// request is rejected after OpenIddict has read its parameters and before it reads the Authorization header.
/// Refused rather than ignored: a client that sends it is leaking the token and should hear so.
/// </summary>
internal sealed class AuthorizationHeaderOnly : IOpenIddictServerHandler<ExtractUserInfoRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ExtractUserInfoRequestContext>()
            .UseSingletonHandler<AuthorizationHeaderOnly>()
            .SetOrder(OpenIddictServerAspNetCoreHandlers.ExtractGetOrPostRequest<ExtractUserInfoRequestContext>.Descriptor.Order + 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ExtractUserInfoRequestContext context)
    {
        if (!string.IsNullOrEmpty(context.Request?.AccessToken))
        {
            context.Reject(
                error: Errors.InvalidRequest,
                description: "The access token must be sent in the Authorization header, not as a query or form parameter.");
        }

        return default;
    }
}
