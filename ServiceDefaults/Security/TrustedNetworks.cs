using System.Net;
using System.Net.Sockets;
using System.Numerics;

namespace SecureStack.ServiceDefaults.Security;

/// <summary>
/// How much of the public Internet a list of trusted proxies covers. A trusted proxy names the client's address:
/// a list that covers public space lets anyone there choose the address a service logs and rate-limits. Private,
/// loopback, link-local and shared (CGNAT) ranges are free; public addresses are summed over the list (overlaps
/// count twice, which errs towards refusing). More than a /8's worth of IPv4 or a /20's worth of IPv6 is too
/// broad: a proxy provider's published ranges (a /13 at most, IPv6 /29) fit, <c>0.0.0.0/1</c> + <c>128.0.0.0/1</c>
/// does not. IPv4-mapped IPv6 networks (<c>::ffff:0:0/96</c>) count as the IPv4 addresses they map.
/// </summary>
public static class TrustedNetworks
{
    public const string Limit = "more than a /8 of public IPv4 or a /20 of public IPv6 in total";

    private static readonly BigInteger MaxPublicIPv4 = BigInteger.One << 24;
    private static readonly BigInteger MaxPublicIPv6 = BigInteger.One << 108;

    // Disjoint, so their overlaps with a network can be summed.
    private static readonly IPNetwork[] NonPublicIPv4 =
        [.. new[] { "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16" }.Select(IPNetwork.Parse)];

    private static readonly IPNetwork[] NonPublicIPv6 = [.. new[] { "::1/128", "fc00::/7", "fe80::/10" }.Select(IPNetwork.Parse)];

    private static readonly IPNetwork IPv4Mapped = IPNetwork.Parse("::ffff:0:0/96");

    /// <summary>The networks that reach into public space when together they cover too much of it; otherwise none.</summary>
    public static IReadOnlyList<IPNetwork> TooBroad(IEnumerable<IPNetwork> networks)
    {
        BigInteger ipv4 = 0, ipv6 = 0;
        var reachingPublicSpace = new List<IPNetwork>();
        foreach (var network in networks)
        {
            var (publicIPv4, publicIPv6) = PublicAddresses(network);
            if (!publicIPv4.IsZero || !publicIPv6.IsZero)
            {
                reachingPublicSpace.Add(network);
            }

            ipv4 += publicIPv4;
            ipv6 += publicIPv6;
        }

        return ipv4 > MaxPublicIPv4 || ipv6 > MaxPublicIPv6 ? reachingPublicSpace : [];
    }

    private static (BigInteger IPv4, BigInteger IPv6) PublicAddresses(IPNetwork network)
    {
        if (network.BaseAddress.AddressFamily == AddressFamily.InterNetwork)
        {
            return (Size(network, 32) - Overlaps(network, NonPublicIPv4, 32), 0);
        }

        if (Covers(IPv4Mapped, network))
        {
            var mapped = new IPNetwork(network.BaseAddress.MapToIPv4(), network.PrefixLength - IPv4Mapped.PrefixLength);
            return PublicAddresses(mapped);
        }

        var ipv6 = Size(network, 128) - Overlaps(network, NonPublicIPv6, 128);
        if (!Covers(network, IPv4Mapped))
        {
            return (0, ipv6);
        }

        var everyIPv4 = new IPNetwork(IPAddress.Any, 0);
        return (PublicAddresses(everyIPv4).IPv4, ipv6 - Size(IPv4Mapped, 128));
    }

    private static BigInteger Overlaps(IPNetwork network, IPNetwork[] ranges, int bits) =>
        ranges.Aggregate(BigInteger.Zero, (sum, range) =>
            sum + (Covers(network, range) ? Size(range, bits) : Covers(range, network) ? Size(network, bits) : 0));

    // By the bytes: IPNetwork.Contains maps an IPv4-mapped address to IPv4 first, so fc00::/7 "contains" ::ffff:0:0.
    private static bool Covers(IPNetwork outer, IPNetwork inner)
    {
        if (outer.BaseAddress.AddressFamily != inner.BaseAddress.AddressFamily || outer.PrefixLength > inner.PrefixLength)
        {
            return false;
        }

        var (outerBytes, innerBytes) = (outer.BaseAddress.GetAddressBytes(), inner.BaseAddress.GetAddressBytes());
        var (whole, rest) = Math.DivRem(outer.PrefixLength, 8);
        var mask = (byte)(0xFF << (8 - rest));
        return outerBytes.AsSpan(0, whole).SequenceEqual(innerBytes.AsSpan(0, whole))
            && (rest == 0 || (outerBytes[whole] & mask) == (innerBytes[whole] & mask));
    }

    private static BigInteger Size(IPNetwork network, int bits) => BigInteger.One << (bits - network.PrefixLength);
}
