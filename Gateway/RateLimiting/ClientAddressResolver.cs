using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using SecureStack.ServiceDefaults.Security;

namespace SecureStack.Gateway.RateLimiting;

/// <summary>
/// Who the client is, for rate limiting: the TCP peer, unless that peer is a configured trusted proxy, in which
/// case the nearest untrusted address in <c>X-Forwarded-For</c>. A client talking to the Gateway directly cannot
/// choose its partition (and escape its limit) by sending the header itself. The Gateway's security events name
/// the same address.
/// </summary>
internal sealed class ClientAddressResolver : IClientAddressResolver
{
    // A longer chain than this is not a real proxy chain; stop reading rather than let a client make us parse megabytes.
    private const int MaxForwardedHops = 16;

    private readonly IPNetwork[] _trustedProxies;

    public ClientAddressResolver(IOptions<RateLimitingOptions> options)
    {
        _trustedProxies = [.. options.Value.TrustedProxies
            .Select(proxy => RateLimitingOptionsValidator.TryParseNetwork(proxy, out var network) ? network : (IPNetwork?)null)
            .OfType<IPNetwork>()];
    }

    public IPAddress? Resolve(HttpContext context)
    {
        var peer = Normalize(context.Connection.RemoteIpAddress);
        if (peer is null || !IsTrusted(peer))
        {
            return peer;
        }

        // Walk right to left: every hop we trust appended the address it saw; the first one we do not trust is the client.
        var hops = context.Request.Headers["X-Forwarded-For"]
            .SelectMany(value => (value ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .TakeLast(MaxForwardedHops)
            .Reverse();

        var client = peer;
        foreach (var hop in hops)
        {
            if (!IPAddress.TryParse(hop, out var address))
            {
                break;
            }

            client = Normalize(address)!;
            if (!IsTrusted(client))
            {
                break;
            }
        }

        return client;
    }

    /// <summary>
    /// The partition value for an address: IPv4 as is, IPv6 by its /64 prefix, because one subscriber usually
    /// holds a whole /64 and could otherwise rotate through 2^64 addresses, each with a fresh limit.
    /// </summary>
    public static string PartitionValue(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes) + "/64";
    }

    private bool IsTrusted(IPAddress address)
    {
        foreach (var network in _trustedProxies)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    private static IPAddress? Normalize(IPAddress? address) =>
        address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address;
}
