using Microsoft.Extensions.Caching.Memory;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace SecureStack.ServiceDefaults.Authentication;

/// <summary>
/// JwtBearer's token handler with a short memory of tokens it has already validated. A client sends the same
/// access token on every request for minutes, and validating it (JSON parsing, the RS256 signature, claims) was a
/// sixth of the Gateway's CPU per request (docs/performance.md); a token seen before costs a lookup instead.
/// Only successes are remembered, keyed by the exact token text, so any altered token misses and is validated in
/// full; an entry never outlives the token's <c>exp</c> nor <see cref="SecureStackJwtOptions.ValidatedTokenCacheDuration"/>,
/// and it counts only while the key that signed the token is still among the signing keys JwtBearer hands over for
/// this request, so a key withdrawn from the JWKS stops working at the next key refresh, cached or not. Revocation
/// is still checked on every request (<c>OnTokenValidated</c> runs after this handler either way).
/// </summary>
public sealed class ValidatedTokenCache : TokenHandler
{
    // Bounded (about 10 MB of token text at most): only tokens Identity signed can enter, but a burst of distinct
    // ones must not grow memory without limit.
    private const int MaxEntries = 10_000;

    private readonly JsonWebTokenHandler _inner;
    private readonly TimeSpan _duration;
    private readonly TimeProvider _timeProvider;
    private readonly MemoryCache _validated;

    public ValidatedTokenCache(JsonWebTokenHandler inner, TimeSpan duration, TimeProvider timeProvider)
    {
        _inner = inner;
        _duration = duration;
        _timeProvider = timeProvider;
        _validated = new MemoryCache(new MemoryCacheOptions { SizeLimit = MaxEntries });
    }

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        var now = _timeProvider.GetUtcNow();
        if (_validated.TryGetValue(token, out Entry? entry) && entry!.ValidUntil > now
            && IsStillPublished(entry.SigningKeyId, validationParameters))
        {
            // Each request gets its own identity: claims transformation may add claims to it.
            return new TokenValidationResult
            {
                IsValid = true,
                SecurityToken = entry.SecurityToken,
                ClaimsIdentity = entry.Identity.Clone(),
                Issuer = entry.Issuer,
                TokenType = entry.TokenType,
            };
        }

        var result = await _inner.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid && result.SecurityToken is { SigningKey.KeyId: { Length: > 0 } signingKeyId } securityToken
            && _duration > TimeSpan.Zero)
        {
            var validUntil = Min(new DateTimeOffset(securityToken.ValidTo, TimeSpan.Zero), now + _duration);
            _validated.Set(
                token,
                new Entry(securityToken, signingKeyId, result.ClaimsIdentity.Clone(), result.Issuer, result.TokenType, validUntil),
                new MemoryCacheEntryOptions { Size = 1, AbsoluteExpiration = validUntil });
        }

        return result;
    }

    public override SecurityToken ReadToken(string token) => _inner.ReadToken(token);

    private static bool IsStillPublished(string signingKeyId, TokenValidationParameters validationParameters)
    {
        if (validationParameters.IssuerSigningKeys is null)
        {
            return false;
        }

        foreach (var key in validationParameters.IssuerSigningKeys)
        {
            if (string.Equals(key.KeyId, signingKeyId, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static DateTimeOffset Min(DateTimeOffset first, DateTimeOffset second) => first < second ? first : second;

    private sealed record Entry(
        SecurityToken SecurityToken, string SigningKeyId, System.Security.Claims.ClaimsIdentity Identity, string Issuer, string TokenType, DateTimeOffset ValidUntil);
}
