using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using SecureStack.ServiceDefaults.Security;

namespace SecureStack.ServiceDefaults.Authentication;

/// <summary>
/// Logs every 403 as an <see cref="SecurityEvents.AuthorizationDenied"/> event (a token that is valid but asks for
/// more than it was granted is how privilege probing looks), then lets the default handler answer.
/// </summary>
public sealed class SecurityEventsAuthorizationResultHandler(SecurityEvents securityEvents) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden)
        {
            securityEvents.AuthorizationDenied(
                context.User.FindFirst(SecureStackClaimTypes.Subject)?.Value,
                context.User.FindFirst(SecureStackClaimTypes.ClientId)?.Value,
                context.Request.Path);
        }

        return _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
