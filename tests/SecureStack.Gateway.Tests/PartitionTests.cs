using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using SecureStack.Gateway.RateLimiting;

namespace SecureStack.Gateway.Tests;

/// <summary>The partition rules on their own, without Redis or HTTP.</summary>
public sealed class PartitionTests
{
    [Fact]
    public void AnAuthenticatedUserIsPartitionedBySubject()
    {
        var user = Principal(("sub", "alice"), ("client_id", "spa"));

        Assert.Equal(new RequestPartition("subject", "alice"), RateLimitPartitioner.ForUser(user));
    }

    [Fact]
    public void AMachineTokenIsPartitionedByClientId()
    {
        var user = Principal(("client_id", "reporting-service"));

        Assert.Equal(new RequestPartition("client", "reporting-service"), RateLimitPartitioner.ForUser(user));
    }

    [Fact]
    public void AnAnonymousUserHasNoUserPartition()
    {
        var anonymous = new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "alice")]));

        Assert.Null(RateLimitPartitioner.ForUser(anonymous));
    }

    [Fact]
    public void ForwardedForFromAnUntrustedPeerIsIgnored()
    {
        var resolver = Resolver();
        var context = Context("198.51.100.1", "203.0.113.5");

        Assert.Equal(IPAddress.Parse("198.51.100.1"), resolver.Resolve(context));
    }

    [Fact]
    public void ForwardedForFromATrustedProxyNamesTheNearestUntrustedHop()
    {
        var resolver = Resolver("10.0.0.0/8");
        // The client forged the first entry; the proxy appended what it saw (203.0.113.5), then a second proxy.
        var context = Context("10.0.0.2", "1.2.3.4, 203.0.113.5, 10.0.0.3");

        Assert.Equal(IPAddress.Parse("203.0.113.5"), resolver.Resolve(context));
    }

    [Fact]
    public void IPv6AddressesInOneSlash64ShareAPartition()
    {
        Assert.Equal(
            ClientAddressResolver.PartitionValue(IPAddress.Parse("2001:db8:1:2:aaaa::1")),
            ClientAddressResolver.PartitionValue(IPAddress.Parse("2001:db8:1:2:bbbb::9")));
        Assert.NotEqual(
            ClientAddressResolver.PartitionValue(IPAddress.Parse("2001:db8:1:2::1")),
            ClientAddressResolver.PartitionValue(IPAddress.Parse("2001:db8:1:3::1")));
    }

    [Fact]
    public void PartitionKeysNeverContainTheIdentifier()
    {
        var partition = new RequestPartition("username", "ALICE@EXAMPLE.COM");

        Assert.DoesNotContain("ALICE", partition.Hash(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(32, partition.Hash().Length);
    }

    [Fact]
    public async Task ATokenRequestIsPartitionedByItsCaseFoldedUserName()
    {
        var context = TokenRequest("grant_type=password&username=Alice&password=guess");

        var partition = await Partitioner().GetPartitionAsync(context, RateLimitPartitionBy.TokenClient);

        Assert.Equal(new RequestPartition("username", "ALICE"), partition);
        // The body is rewound for forwarding.
        Assert.Equal(0, context.Request.Body.Position);
    }

    [Fact]
    public async Task ARepeatedUserNameCannotOpenAFreshPartition()
    {
        var context = TokenRequest("grant_type=password&username=alice&username=decoy-17&password=guess");

        var partition = await Partitioner().GetPartitionAsync(context, RateLimitPartitionBy.TokenClient);

        Assert.Equal(new RequestPartition("ip", "198.51.100.1"), partition);
    }

    [Fact]
    public async Task ATokenRequestLargerThanTheLimitIsNotReadAndPartitionedByAddress()
    {
        var context = TokenRequest("grant_type=password&username=alice&password=" + new string('x', 10_000));

        var partition = await Partitioner().GetPartitionAsync(context, RateLimitPartitionBy.TokenClient);

        Assert.Equal(new RequestPartition("ip", "198.51.100.1"), partition);
    }

    private static RateLimitPartitioner Partitioner()
    {
        var options = Options.Create(new RateLimitingOptions());
        return new RateLimitPartitioner(new ClientAddressResolver(options), options);
    }

    private static DefaultHttpContext TokenRequest(string form)
    {
        var body = System.Text.Encoding.UTF8.GetBytes(form);
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse("198.51.100.1");
        context.Request.Method = HttpMethods.Post;
        context.Request.ContentType = "application/x-www-form-urlencoded";
        context.Request.ContentLength = body.Length;
        context.Request.Body = new MemoryStream(body);
        return context;
    }

    private static ClaimsPrincipal Principal(params (string Type, string Value)[] claims) =>
        new(new ClaimsIdentity(claims.Select(claim => new Claim(claim.Type, claim.Value)), "Bearer"));

    private static ClientAddressResolver Resolver(params string[] trusted) =>
        new(Options.Create(new RateLimitingOptions { TrustedProxies = [.. trusted] }));

    private static DefaultHttpContext Context(string peer, string forwardedFor)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(peer);
        context.Request.Headers["X-Forwarded-For"] = forwardedFor;
        return context;
    }
}
