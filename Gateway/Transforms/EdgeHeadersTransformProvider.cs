using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace SecureStack.Gateway.Transforms;

/// <summary>
/// Header hygiene at the edge, on every route. YARP already drops hop-by-hop headers (Connection, Keep-Alive,
/// TE, Upgrade, Proxy-*); this adds what an edge must do on top.
/// </summary>
internal sealed class EdgeHeadersTransformProvider : ITransformProvider
{
    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        // X-Forwarded-For/-Proto/-Host/-Prefix replaced, never appended: a client's own values would otherwise
        // reach the services as if the Gateway had vouched for them (spoofed client IP, scheme or host).
        context.UseDefaultForwarders = false;
        context.AddXForwarded(ForwardedTransformActions.Set);
        context.RequestTransforms.Add(new RemoveUntrustedRequestHeaders());
        context.ResponseTransforms.Add(new RemoveBackendFingerprint());
    }

    /// <summary>Headers a service might believe because "only the Gateway can reach me".</summary>
    private sealed class RemoveUntrustedRequestHeaders : RequestTransform
    {
        // Forwarded (RFC 7239) and the de-facto variants: the Gateway sets X-Forwarded-* itself, the rest must not pass.
        private static readonly string[] Untrusted =
            ["Forwarded", "X-Real-IP", "X-Client-IP", "X-Original-For", "X-Original-Host", "X-Original-URL", "X-Rewrite-URL", "X-HTTP-Method-Override"];

        // Reserved for the stack's own internal signalling; from outside it can only be forged.
        private const string InternalPrefix = "X-SecureStack-";

        public override ValueTask ApplyAsync(RequestTransformContext context)
        {
            foreach (var name in Untrusted)
            {
                RemoveHeader(context, name);
            }

            foreach (var name in context.HttpContext.Request.Headers.Keys.Where(key => key.StartsWith(InternalPrefix, StringComparison.OrdinalIgnoreCase)).ToList())
            {
                RemoveHeader(context, name);
            }

            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Server and framework banners tell an attacker which exploits to try; they stay inside.</summary>
    private sealed class RemoveBackendFingerprint : ResponseTransform
    {
        private static readonly string[] Fingerprint = ["Server", "X-Powered-By", "X-AspNet-Version", "X-AspNetMvc-Version", "X-SourceFiles"];

        public override ValueTask ApplyAsync(ResponseTransformContext context)
        {
            foreach (var name in Fingerprint)
            {
                context.HttpContext.Response.Headers.Remove(name);
            }

            return ValueTask.CompletedTask;
        }
    }
}
