using System.Net;
using Microsoft.IdentityModel.Tokens;
using SecureStack.Api.Tests.Infrastructure;

namespace SecureStack.Api.Tests;

/// <summary>Each rejected token differs from a valid one in exactly one way; the control test shows the valid one passes.</summary>
public sealed class AuthenticationTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static TheoryData<string, string> ProtectedRoutes => Routes.ProtectedRoutes;

    [Fact]
    public async Task ValidAccessTokenIsAccepted()
    {
        using var client = factory.CreateClient(new TokenSpec());

        var response = await client.GetAsync(Routes.Notes, Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(ProtectedRoutes))]
    public async Task RequestWithoutTokenIsRejected(string method, string path)
    {
        using var client = factory.CreateClient((string?)null);

        var response = await client.SendJsonAsync(method, path, method is "POST" or "PUT" or "PATCH" ? Routes.ValidNoteJson : null);

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
    }

    [Theory]
    [MemberData(nameof(ProtectedRoutes))]
    public async Task ExpiredTokenIsRejected(string method, string path) =>
        await AssertRejectedAsync(method, path, factory.Issuer.CreateToken(Valid() with { ExpiresIn = TimeSpan.FromSeconds(-31) }), "SecurityTokenExpiredException");

    [Theory]
    [MemberData(nameof(ProtectedRoutes))]
    public async Task TokenForAnotherAudienceIsRejected(string method, string path) =>
        await AssertRejectedAsync(method, path, factory.Issuer.CreateToken(Valid() with { Audience = "securestack-other" }), "SecurityTokenInvalidAudienceException");

    [Theory]
    [MemberData(nameof(ProtectedRoutes))]
    public async Task TokenFromAnotherIssuerIsRejected(string method, string path) =>
        await AssertRejectedAsync(method, path, factory.Issuer.CreateToken(Valid() with { Issuer = "https://evil.test" }), "SecurityTokenInvalidIssuerException");

    [Theory]
    [MemberData(nameof(ProtectedRoutes))]
    public async Task IdTokenIsNotAnAccessToken(string method, string path) =>
        await AssertRejectedAsync(method, path, factory.Issuer.CreateToken(Valid() with { TokenType = "JWT" }), "SecurityTokenInvalidTypeException");

    [Fact]
    public async Task TokenWithinTheClockSkewIsStillAccepted()
    {
        using var client = factory.CreateClient(Valid() with { ExpiresIn = TimeSpan.FromSeconds(-10) });

        var response = await client.GetAsync(Routes.Notes, Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Hs256TokenSignedWithThePublicKeyIsRejected() =>
        await AssertRejectedAsync("GET", Routes.Notes, factory.Issuer.CreateKeyConfusionToken(Valid()), "SecurityTokenInvalidSignatureException");

    // Only the algorithm allow-list stops these: the key is trusted and the signature genuine. IdentityModel reports
    // a disallowed algorithm as a signature failure.
    [Theory]
    [InlineData(SecurityAlgorithms.RsaSha512)]
    [InlineData(SecurityAlgorithms.RsaSsaPssSha256)]
    public async Task TokenSignedByTheTrustedKeyWithAnAlgorithmOutsideTheAllowListIsRejected(string algorithm) =>
        await AssertRejectedAsync("GET", Routes.Notes, factory.Issuer.CreateToken(Valid() with
        {
            SigningCredentials = new SigningCredentials(factory.Issuer.SigningKey, algorithm),
        }), "SecurityTokenInvalidSignatureException");

    [Fact]
    public async Task UnsignedTokenIsRejected() =>
        await AssertRejectedAsync("GET", Routes.Notes, factory.Issuer.CreateUnsignedToken(Valid()), "SecurityTokenInvalidSignatureException");

    [Fact]
    public async Task TokenSignedByAnUntrustedKeyWithATrustedKeyIdIsRejected()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var impostor = new RsaSecurityKey(rsa) { KeyId = factory.Issuer.SigningKey.KeyId };
        var token = factory.Issuer.CreateToken(Valid() with
        {
            SigningCredentials = new SigningCredentials(impostor, SecurityAlgorithms.RsaSha256),
        });

        await AssertRejectedAsync("GET", Routes.Notes, token, "SecurityTokenInvalidSignatureException");
    }

    [Fact]
    public async Task MalformedTokenIsRejected() =>
        await AssertRejectedAsync("GET", Routes.Notes, "not.a.jwt", "ArgumentException");

    [Fact]
    public async Task SigningKeysAreFetchedThroughTheAuthorityNotThePublicIssuer()
    {
        using var client = factory.CreateClient(new TokenSpec());

        var response = await client.GetAsync(Routes.Notes, Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(factory.Issuer.JwksRequests >= 1);
        Assert.Empty(factory.Issuer.UnexpectedRequests);
    }

    [Fact]
    public async Task RejectionIsASecurityEventThatNamesTheReasonButNotTheToken()
    {
        var token = factory.Issuer.CreateToken(Valid() with { Audience = "elsewhere" });
        using var client = factory.CreateClient(token);

        await client.GetAsync(Routes.Notes, Cancel);

        var logged = factory.Events.All.Where(e => e.Name == "AuthenticationFailed").ToList();
        Assert.Contains(logged, e => e.Message.Contains("SecurityTokenInvalidAudienceException", StringComparison.Ordinal));
        Assert.DoesNotContain(factory.Events.All, e => e.Message.Contains(token.Split('.')[1], StringComparison.Ordinal));
    }

    [Fact]
    public async Task RejectionDoesNotTellTheCallerWhyTheTokenFailed()
    {
        using var client = factory.CreateClient(Valid() with { ExpiresIn = TimeSpan.FromMinutes(-5) });

        var response = await client.GetAsync(Routes.Notes, Cancel);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = response.Headers.WwwAuthenticate.ToString();
        Assert.DoesNotContain("expired", challenge, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("error_description", challenge, StringComparison.Ordinal);
    }

    private static TokenSpec Valid() => TokenSpec.Admin();

    private async Task AssertRejectedAsync(string method, string path, string token, string expectedReason)
    {
        using var client = factory.CreateClient(token);

        var response = await client.SendJsonAsync(method, path, method is "POST" or "PUT" or "PATCH" ? Routes.ValidNoteJson : null);

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        var failures = factory.Events.All.Where(e => e.Name == "AuthenticationFailed").Select(e => e.Message).ToList();
        Assert.True(
            failures.Any(message => message.EndsWith(": " + expectedReason, StringComparison.Ordinal)),
            $"No AuthenticationFailed event for {expectedReason}; logged: {string.Join(" | ", failures.Distinct())}");
    }
}
