using System.Net;
using System.Net.Http.Json;

namespace SecureStack.Security.Tests.Owasp;

/// <summary>
/// API6:2023 Unrestricted Access to Sensitive Business Flows: registration and sign-in are the flows worth
/// automating against (account enumeration, credential stuffing). Their limits live in Redis, shared by every
/// Gateway replica; the token-guessing limit itself is proven in <see cref="Api02AuthenticationTests"/>.
/// </summary>
[Collection(SecurityCollection.Name)]
public sealed class Api06SensitiveBusinessFlowTests(SecurityFixture fixture)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task API6_RegisteringAnExistingAccountLooksExactlyLikeANewOne()
    {
        var (email, _) = await fixture.RegisterUserAsync("enumerated");
        using var gateway = fixture.CreateGatewayClient();

        using var again = await gateway.PostAsJsonAsync("/account/register", new { email, password = "Another-" + Guid.NewGuid().ToString("N") }, Cancellation);
        using var fresh = await gateway.PostAsJsonAsync("/account/register",
            new { email = $"fresh-{fixture.RunId}@example.test", password = "Another-" + Guid.NewGuid().ToString("N") }, Cancellation);

        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal(fresh.StatusCode, again.StatusCode);
        Assert.Equal(await fresh.Content.ReadAsStringAsync(Cancellation), await again.Content.ReadAsStringAsync(Cancellation));
    }

    [Fact]
    public async Task API6_RegistrationAndTokenFlowsAreUnderTheSharedEdgeLimits()
    {
        using var gateway = fixture.CreateGatewayClient();

        using var register = await gateway.PostAsJsonAsync("/account/register", new { email = "x", password = "short" }, Cancellation);
        using var token = await gateway.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = $"no-such-client-{fixture.RunId}",
            ["client_secret"] = "guess",
        }), Cancellation);

        // The Gateway names the policy that counted the request: registration's own per-address limit (its hourly
        // budget is raised for this suite, whose clients all share one address; RegistrationLimitAbuseTests meets
        // it as deployed); per client at the address, and per address, for tokens. Counters are in Redis, so a
        // second replica adds no budget.
        Assert.StartsWith("\"register\";", RateLimitPolicy(register), StringComparison.Ordinal);
        Assert.Contains("\"token\"", RateLimitPolicy(token), StringComparison.Ordinal);
        Assert.Contains("\"token-ip\"", RateLimitPolicy(token), StringComparison.Ordinal);
    }

    [Fact]
    public async Task API6_AWeakOrCommonPasswordIsRefusedAtRegistration()
    {
        using var gateway = fixture.CreateGatewayClient();

        using var common = await gateway.PostAsJsonAsync("/account/register", new { email = $"weak-{fixture.RunId}@example.test", password = "password1234" }, Cancellation);
        using var tooShort = await gateway.PostAsJsonAsync("/account/register", new { email = $"short-{fixture.RunId}@example.test", password = "Sh0rt!" }, Cancellation);

        Assert.Equal(HttpStatusCode.BadRequest, common.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tooShort.StatusCode);
    }

    private static string RateLimitPolicy(HttpResponseMessage response) =>
        response.Headers.TryGetValues("RateLimit-Policy", out var values) ? string.Join(", ", values) : "(no RateLimit-Policy header)";
}
