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
    public async Task APasswordGuessIsPartitionedByItsCaseFoldedUserNameAtItsAddressAndCappedPerAccount()
    {
        var context = TokenRequest("grant_type=password&username=Alice&password=guess");

        var atAddress = await Partitioner().GetPartitionAsync(context, RateLimitPartitionBy.TokenCredential);
        var account = await Partitioner().GetPartitionAsync(context, RateLimitPartitionBy.TokenUserName);

        Assert.Equal(new RequestPartition("username_address", "ALICE\n198.51.100.1"), atAddress);
        Assert.Equal(new RequestPartition("username", "ALICE"), account);
        // The body is rewound for forwarding.
        Assert.Equal(0, context.Request.Body.Position);
    }

    [Fact]
    public async Task ARefreshTokenIsPartitionedByItsDigestNeverByItsValueOrItsClient()
    {
        const string refreshToken = "CfDJ8-a-real-looking-refresh-token";
        var context = TokenRequest($"grant_type=refresh_token&client_id=securestack-demo&refresh_token={refreshToken}");

        var partition = await Partitioner().GetPartitionAsync(context, RateLimitPartitionBy.TokenCredential);

        Assert.Equal("refresh_token", partition?.Kind);
        Assert.DoesNotContain(refreshToken, partition!.Value.Value, StringComparison.Ordinal);
        Assert.Equal(RequestPartition.ForSecret("refresh_token", refreshToken), partition);
        Assert.Null(await Partitioner().GetPartitionAsync(context, RateLimitPartitionBy.TokenUserName));
    }

    [Fact]
    public async Task AClientSecretIsPartitionedByClientAtItsAddressWhateverTheGrant()
    {
        var context = TokenRequest("grant_type=refresh_token&client_id=securestack-service&client_secret=guess&refresh_token=junk");

        var partition = await Partitioner().GetPartitionAsync(context, RateLimitPartitionBy.TokenCredential);

        Assert.Equal(new RequestPartition("client_address", "securestack-service\n198.51.100.1"), partition);
    }

    [Fact]
    public async Task ADevicePollIsCountedOnlyByItsDeviceCode()
    {
        var context = TokenRequest("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&client_id=securestack-cli&device_code=abc");

        Assert.Equal(RequestPartition.ForSecret("device_code", "abc"), await Partitioner().GetPartitionAsync(context, RateLimitPartitionBy.TokenDeviceCode));
        Assert.Null(await Partitioner().GetPartitionAsync(context, RateLimitPartitionBy.TokenCredential));
        Assert.Null(await Partitioner().GetPartitionAsync(context, RateLimitPartitionBy.TokenUserName));
    }

    [Fact]
    public async Task ARepeatedUserNameIsRefusedRatherThanCountedLoosely()
    {
        var context = TokenRequest("grant_type=password&username=alice&username=decoy-17&password=guess");

        var result = await FormReader().ReadAsync(context);

        Assert.Equal("repeated-parameter", result.Refusal?.Reason);
        Assert.Null(result.Form);
    }

    [Fact]
    public async Task ATokenRequestLargerThanTheLimitIsRefusedUnread()
    {
        var context = TokenRequest("grant_type=password&username=alice&password=" + new string('x', 10_000));

        var result = await FormReader().ReadAsync(context);

        Assert.Equal(StatusCodes.Status413PayloadTooLarge, result.Refusal?.Status);
        Assert.Equal(0, context.Request.Body.Position);
    }

    [Fact]
    public async Task AFormInAnotherCharsetIsRefusedBecauseIdentityWouldReadItDifferently()
    {
        var context = TokenRequest("grant_type=password&username=alice&password=guess");
        context.Request.ContentType = "application/x-www-form-urlencoded; charset=utf-16";

        var result = await FormReader().ReadAsync(context);

        Assert.Equal(StatusCodes.Status415UnsupportedMediaType, result.Refusal?.Status);
    }

    private static RateLimitPartitioner Partitioner()
    {
        var options = Options.Create(new RateLimitingOptions());
        return new RateLimitPartitioner(new ClientAddressResolver(options), new TokenRequestFormReader(options));
    }

    private static TokenRequestFormReader FormReader() => new(Options.Create(new RateLimitingOptions()));

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
