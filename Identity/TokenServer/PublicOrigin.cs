using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;
using OpenIddict.Server;
using SecureStack.Identity.Options;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace SecureStack.Identity.TokenServer;

/// <summary>
/// Host header injection: OpenIddict builds the URLs it publishes (discovery, the device flow's
/// <c>verification_uri</c>) from the request's origin, and the login cookie builds its redirect from the Host
/// header; both are chosen by the client. With <c>Identity:Issuer</c> set (required outside Development) every
/// such URL is built from the issuer instead, so a hostile <c>Host</c> cannot poison a discovery document, a cached
/// response or a login redirect.
/// </summary>
internal static class PublicOrigin
{
    /// <summary>
    /// After OpenIddict has matched the request to an endpoint (which must use the request's own URI), the
    /// transaction's base URI becomes the issuer: everything OpenIddict writes from then on is relative to it.
    /// </summary>
    internal sealed class UseIssuerAsBaseUri : IOpenIddictServerHandler<ProcessRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessRequestContext>()
                .UseSingletonHandler<UseIssuerAsBaseUri>()
                .SetOrder(OpenIddictServerHandlers.InferEndpointType.Descriptor.Order + 1)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(ProcessRequestContext context)
        {
            if (context.Options.Issuer is { } issuer)
            {
                context.BaseUri = issuer;
            }

            return default;
        }
    }

    /// <summary>
    /// The cookie's login and access-denied redirects (which the cookie handler builds from the Host header),
    /// rebased on the issuer's origin. Their path and query are the handler's own.
    /// </summary>
    internal sealed class RebaseCookieRedirects(IOptions<TokenServerOptions> options)
        : IPostConfigureOptions<CookieAuthenticationOptions>
    {
        public void PostConfigure(string? name, CookieAuthenticationOptions cookie)
        {
            if (name != Microsoft.AspNetCore.Identity.IdentityConstants.ApplicationScheme || options.Value.Issuer is not { } issuer)
            {
                return;
            }

            var origin = issuer.GetLeftPart(UriPartial.Authority);
            cookie.Events.OnRedirectToLogin = Rebase(cookie.Events.OnRedirectToLogin, origin);
            cookie.Events.OnRedirectToAccessDenied = Rebase(cookie.Events.OnRedirectToAccessDenied, origin);
        }

        private static Func<RedirectContext<CookieAuthenticationOptions>, Task> Rebase(
            Func<RedirectContext<CookieAuthenticationOptions>, Task> redirect, string origin) =>
            context =>
            {
                if (Uri.TryCreate(context.RedirectUri, UriKind.Absolute, out var target))
                {
                    context.RedirectUri = origin + target.PathAndQuery;
                }

                return redirect(context);
            };
    }
}
