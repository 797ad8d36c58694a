using System.Net;
using IPNetwork = System.Net.IPNetwork;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SecureStack.ServiceDefaults.Options;
using SecureStack.ServiceDefaults.Security;

namespace Microsoft.Extensions.Hosting;

public static class ForwardedHeadersExtensions
{
    /// <summary>
    /// <c>X-Forwarded-For/-Proto</c> are honoured only from the proxies configured in <c>ForwardedHeaders</c>.
    /// The framework's default trusts loopback, which on a shared host lets any local process (or a client of a
    /// co-located proxy) choose the address a service logs and rate-limits: the defaults are cleared.
    /// </summary>
    public static TBuilder AddTrustedForwardedHeaders<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<ForwardedHeadersTrustOptions>()
            .BindConfiguration(ForwardedHeadersTrustOptions.SectionName)
            .Validate(options => options.KnownProxies.All(proxy => IPAddress.TryParse(proxy, out _)),
                "ForwardedHeaders:KnownProxies must be IP addresses.")
            .Validate(options => options.KnownNetworks.All(network => IPNetwork.TryParse(network, out _)),
                "ForwardedHeaders:KnownNetworks must be CIDR networks such as 10.0.0.0/24.")
            .Validate(options => options.ForwardLimit is >= 1 and <= 5, "ForwardedHeaders:ForwardLimit must be 1 to 5.")
            .ValidateOnStart();
        builder.Services.AddSecuritySelfCheck<ForwardedHeadersSelfCheck>();

        builder.Services.AddOptions<ForwardedHeadersOptions>()
            .Configure<IOptions<ForwardedHeadersTrustOptions>>((forwarded, trust) =>
            {
                // With no proxy configured the middleware would believe every peer, not none: switch it off.
                forwarded.ForwardedHeaders = !trust.Value.TrustsAnyone ? ForwardedHeaders.None
                    : trust.Value.ForwardHost ? ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost
                    : ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
                forwarded.ForwardLimit = trust.Value.ForwardLimit;
                forwarded.KnownProxies.Clear();
                forwarded.KnownIPNetworks.Clear();
                foreach (var proxy in trust.Value.KnownProxies)
                {
                    forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
                }

                foreach (var network in trust.Value.KnownNetworks)
                {
                    forwarded.KnownIPNetworks.Add(IPNetwork.Parse(network));
                }
            });

        return builder;
    }

    private sealed class ForwardedHeadersSelfCheck(IOptions<ForwardedHeadersTrustOptions> options) : ISecuritySelfCheck
    {
        public IEnumerable<string> FindInsecureSettings()
        {
            var trusted = options.Value.KnownProxies
                .Select(proxy => IPAddress.TryParse(proxy, out var address) ? new IPNetwork(address, address.GetAddressBytes().Length * 8) : (IPNetwork?)null)
                .Concat(options.Value.KnownNetworks.Select(network => IPNetwork.TryParse(network, out var parsed) ? parsed : (IPNetwork?)null))
                .OfType<IPNetwork>();
            var tooBroad = TrustedNetworks.TooBroad(trusted);
            if (tooBroad.Count > 0)
            {
                yield return $"ForwardedHeaders:KnownProxies/KnownNetworks trust too much public address space ({string.Join(", ", tooBroad)}: {TrustedNetworks.Limit}), so a client there could choose the address this service logs and rate-limits: list only the proxies' own addresses or private networks.";
            }
        }
    }
}
