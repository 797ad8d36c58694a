using System.Net;

namespace SecureStack.Security.Tests.Owasp;

/// <summary>
/// API2:2023 Broken Authentication. Forged and misused tokens are in <see cref="JwtAttackMatrixTests"/>; here:
/// guessing passwords at the token endpoint, and account lockout.
/// </summary>
[Collection(SecurityCollection.Name)]
public sealed class Api02AuthenticationTests(SecurityFixture fixture)
{
    private const int TokenLimitPerUserName = 10;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task API2_TokenEndpointBruteForceGets429AfterTheLimitWhateverTheUserNameSpelling()
    {
        // Spelled three ways: "Victim" and "victim" are one account to a guesser, so they share one bucket.
        var victim = $"victim-{fixture.RunId}@example.test";
        string[] spellings = [victim, victim.ToUpperInvariant(), char.ToUpperInvariant(victim[0]) + victim[1..]];
        using var gateway = fixture.CreateGatewayClient();
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;

        for (var attempt = 0; attempt <= TokenLimitPerUserName && limited is null; attempt++)
        {
            var response = await gateway.PostAsync("/connect/token", new FormUrlEncodedContent(
                SecurityFixture.PasswordGrant(spellings[attempt % spellings.Length], $"guess-{attempt}-not-the-password", "api.read")), Cancellation);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
            else
            {
                response.Dispose();
            }
        }

        using (limited)
        {
            Assert.Equal(Enumerable.Repeat(HttpStatusCode.BadRequest, TokenLimitPerUserName), statuses.Take(TokenLimitPerUserName));
            Assert.NotNull(limited);
            Assert.Equal(TokenLimitPerUserName + 1, statuses.Count);
            Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero, "429 without a Retry-After");
        }
    }

    [Fact]
    public async Task API2_AnAccountIsLockedOutAfterFiveWrongPasswords()
    {
        var (email, password) = await fixture.RegisterUserAsync("lockout");
        using var gateway = fixture.CreateGatewayClient();

        for (var attempt = 0; attempt < 5; attempt++)
        {
            using var wrong = await gateway.PostAsync("/connect/token", new FormUrlEncodedContent(
                SecurityFixture.PasswordGrant(email, $"wrong-password-{attempt}", "api.read")), Cancellation);
            Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        }

        using var right = await gateway.PostAsync("/connect/token", new FormUrlEncodedContent(
            SecurityFixture.PasswordGrant(email, password, "api.read")), Cancellation);

        // The right password no longer works, and the answer is the same as for a wrong one (no lockout oracle).
        Assert.Equal(HttpStatusCode.BadRequest, right.StatusCode);
        Assert.Equal("invalid_grant", (await GatewayCalls.TokenErrorAsync(right))["error"]);
    }

    [Fact]
    public async Task API2_WithoutATokenEveryApiRouteAnswers401AtTheEdge()
    {
        using var gateway = fixture.CreateGatewayClient();

        using var notes = await gateway.GetAsync("/api/v1/notes", Cancellation);
        using var admin = await gateway.GetAsync("/api/v1/admin/notes", Cancellation);
        using var unknown = await gateway.GetAsync("/api/v1/does-not-exist", Cancellation);

        Assert.Equal(HttpStatusCode.Unauthorized, notes.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, admin.StatusCode);
        // Unknown routes too: an anonymous caller cannot map the Api by telling 404 from 401.
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
    }
}
