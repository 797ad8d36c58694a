using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SecureStack.ServiceDefaults.Authentication;
using SecureStack.Testing;

namespace SecureStack.ServiceDefaults.Tests;

/// <summary>
/// The edge's memory of validated tokens may save work, never change an answer: what it accepts the full validation
/// accepts too, under the signing keys of the moment.
/// </summary>
public sealed class ValidatedTokenCacheTests : IDisposable
{
    private readonly TestIssuer _issuer = new();
    private readonly ValidatedTokenCache _cache = new(new JsonWebTokenHandler { MapInboundClaims = false }, TimeSpan.FromMinutes(1), TimeProvider.System);

    [Fact]
    public async Task ASeenTokenIsAcceptedAgainWithItsClaimsInAFreshIdentity()
    {
        var token = _issuer.CreateToken(new TokenSpec { Subject = "alice" });

        var first = await _cache.ValidateTokenAsync(token, Parameters(_issuer.SigningKey));
        var second = await _cache.ValidateTokenAsync(token, Parameters(_issuer.SigningKey));

        Assert.True(first.IsValid);
        Assert.True(second.IsValid);
        Assert.Equal("alice", second.ClaimsIdentity.FindFirst("sub")?.Value);
        Assert.NotSame(first.ClaimsIdentity, second.ClaimsIdentity);
    }

    [Fact]
    public async Task AnAlteredCopyOfASeenTokenIsValidatedInFullAndRefused()
    {
        var token = _issuer.CreateToken();
        Assert.True((await _cache.ValidateTokenAsync(token, Parameters(_issuer.SigningKey))).IsValid);

        var signatureStart = token.LastIndexOf('.') + 1;
        var altered = token[..signatureStart] + (token[signatureStart] == 'A' ? 'B' : 'A') + token[(signatureStart + 1)..];

        Assert.False((await _cache.ValidateTokenAsync(altered, Parameters(_issuer.SigningKey))).IsValid);
    }

    [Fact]
    public async Task ASeenTokenIsRefusedOnceItsSigningKeyHasLeftTheKeySet()
    {
        var token = _issuer.CreateToken();
        var oldKey = _issuer.SigningKey;
        Assert.True((await _cache.ValidateTokenAsync(token, Parameters(oldKey))).IsValid);

        // Emergency rotation: the JWKS now holds only the new key.
        var newKey = _issuer.RotateKey("test-key-2");

        Assert.False((await _cache.ValidateTokenAsync(token, Parameters(newKey))).IsValid);
    }

    [Fact]
    public async Task ARefusalIsNotRememberedSoTheSameTokenPassesOnceItsKeyIsKnown()
    {
        var token = _issuer.CreateToken();
        var unrelated = new RsaSecurityKey(System.Security.Cryptography.RSA.Create(2048)) { KeyId = "other" };

        Assert.False((await _cache.ValidateTokenAsync(token, Parameters(unrelated))).IsValid);
        Assert.True((await _cache.ValidateTokenAsync(token, Parameters(unrelated, _issuer.SigningKey))).IsValid);
    }

    public void Dispose() => _issuer.Dispose();

    private static TokenValidationParameters Parameters(params SecurityKey[] keys) => new()
    {
        ValidIssuer = TestIssuer.Issuer,
        ValidAudience = TestIssuer.Audience,
        IssuerSigningKeys = keys,
        ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        ValidTypes = ["at+jwt"],
    };
}
