using System.Net;
using SecureStack.Identity.Tests.Infrastructure;

namespace SecureStack.Identity.Tests;

public class RefreshTokenTests(IdentityServerFactory factory)
{
    [Fact]
    public async Task EveryRefreshReturnsANewRefreshToken()
    {
        var (_, tokens) = await AuthorizationCodeFlow.SignedInUserTokensAsync(factory);
        var client = factory.CreateClient();
        var first = tokens.String("refresh_token");

        var (status, refreshed) = await AuthorizationCodeFlow.RefreshAsync(client, first);
        var second = refreshed.String("refresh_token");
        var (againStatus, again) = await AuthorizationCodeFlow.RefreshAsync(client, second);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(string.IsNullOrEmpty(second));
        Assert.NotEqual(first, second);
        Assert.NotEqual(tokens.String("access_token"), refreshed.String("access_token"));
        Assert.Equal(HttpStatusCode.OK, againStatus);
        Assert.NotEqual(second, again.String("refresh_token"));
    }

    [Fact]
    public async Task ReplayingARedeemedRefreshTokenRevokesTheWholeChain()
    {
        var (_, tokens) = await AuthorizationCodeFlow.SignedInUserTokensAsync(factory);
        var client = factory.CreateClient();
        var stolen = tokens.String("refresh_token");
        var (_, rotated) = await AuthorizationCodeFlow.RefreshAsync(client, stolen);
        var current = rotated.String("refresh_token");
        var replaysBefore = factory.CountEvents(4010);

        // The attacker (or a broken client) presents the already-redeemed token.
        var (replayStatus, replay) = await AuthorizationCodeFlow.RefreshAsync(client, stolen);

        // The legitimate client's newest token died with the chain.
        var (currentStatus, currentBody) = await AuthorizationCodeFlow.RefreshAsync(client, current);

        Assert.Equal(HttpStatusCode.BadRequest, replayStatus);
        Assert.Equal("invalid_grant", replay.String("error"));
        Assert.EndsWith("/ID2012", replay.String("error_uri"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, currentStatus);
        Assert.Equal("invalid_grant", currentBody.String("error"));
        Assert.True(factory.CountEvents(4010) > replaysBefore, "a RefreshTokenReplayed security event is logged");
    }
}
