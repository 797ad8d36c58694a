using Microsoft.Extensions.Options;
using OpenIddict.Server;
using SecureStack.Identity.Options;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace SecureStack.Identity.TokenServer;

/// <summary>
/// Adds the polling <c>interval</c> to a device authorization response (RFC 8628 3.2), which OpenIddict does not
/// send. Without it a client chooses its own pace, and one that polls faster than the Gateway's per-device limit
/// is told to slow down; with it, a well-behaved client never is.
/// </summary>
internal sealed class DevicePollingInterval(IOptions<TokenServerOptions> options)
    : IOpenIddictServerHandler<OpenIddictServerEvents.ApplyDeviceAuthorizationResponseContext>
{
    public ValueTask HandleAsync(OpenIddictServerEvents.ApplyDeviceAuthorizationResponseContext context)
    {
        if (string.IsNullOrEmpty(context.Response.Error) && !string.IsNullOrEmpty(context.Response.DeviceCode))
        {
            context.Response[Parameters.Interval] = (long)options.Value.DevicePollingInterval.TotalSeconds;
        }

        return ValueTask.CompletedTask;
    }
}
