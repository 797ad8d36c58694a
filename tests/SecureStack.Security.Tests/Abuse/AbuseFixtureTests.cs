using System.Net;

namespace SecureStack.Security.Tests.Abuse;

/// <summary>
/// The abuse suite's premise: the Gateway counts distinct client addresses separately. Without it, every
/// "the attacker cannot spend the victim's budget" test would pass or fail for the wrong reason.
/// </summary>
[Collection(AbuseCollection.Name)]
public sealed class AbuseFixtureTests(AbuseFixture fixture)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheGatewayCountsEachClientAddressInItsOwnBucket()
    {
        var first = fixture.NewClientAddress();
        var second = fixture.NewClientAddress();
        using var firstClient = fixture.CreateGatewayClientFrom(first);
        using var secondClient = fixture.CreateGatewayClientFrom(second);

        var firstRemaining = await RemainingAsync(firstClient);
        var firstAgain = await RemainingAsync(firstClient);
        var secondRemaining = await RemainingAsync(secondClient);

        // The same address spends its own budget; a new address starts full, as the first one did.
        Assert.Equal(firstRemaining - 1, firstAgain);
        Assert.Equal(firstRemaining, secondRemaining);
    }

    private static async Task<int> RemainingAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/api/v1/ping", Cancellation);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return RateLimitRemaining(response);
    }

    /// <summary>The <c>r</c> parameter of the first item of the structured <c>RateLimit</c> field.</summary>
    private static int RateLimitRemaining(HttpResponseMessage response)
    {
        var field = response.Headers.TryGetValues("RateLimit", out var values) ? string.Join(',', values) : string.Empty;
        var remaining = field.Split(';').Select(parameter => parameter.Trim()).FirstOrDefault(parameter => parameter.StartsWith("r=", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"No remaining count in RateLimit: '{field}'.");
        return int.Parse(remaining[2..].TakeWhile(char.IsDigit).ToArray(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
