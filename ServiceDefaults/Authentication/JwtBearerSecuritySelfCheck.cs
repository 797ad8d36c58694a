using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using SecureStack.ServiceDefaults.Security;

namespace SecureStack.ServiceDefaults.Authentication;

/// <summary>
/// Finds token-validation settings that would let a forged or stolen token through: signing keys fetched over
/// plaintext, no expected issuer or audience, and (in case code later loosens the JwtBearer options) any
/// validation switched off, a long clock skew or a symmetric or "none" algorithm.
/// </summary>
public sealed class JwtBearerSecuritySelfCheck(
    IOptions<SecureStackJwtOptions> jwtOptions,
    IOptionsMonitor<JwtBearerOptions> bearerOptions,
    IHostEnvironment environment) : ISecuritySelfCheck
{
    private const string Section = SecureStackJwtOptions.SectionName;
    /// <summary>The longest clock skew a resource server may allow: a token is accepted until exp plus this.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromSeconds(30);

    public IEnumerable<string> FindInsecureSettings()
    {
        var jwt = jwtOptions.Value;

        if (!IsHttps(jwt.Authority))
        {
            yield return $"{Section}:Authority is '{jwt.Authority}': use an https:// address (e.g. https://identity) so the signing keys cannot be replaced in transit.";
        }

        if (!string.IsNullOrWhiteSpace(jwt.MetadataAddress) && !IsHttps(jwt.MetadataAddress))
        {
            yield return $"{Section}:MetadataAddress is '{jwt.MetadataAddress}': use an https:// address.";
        }

        if (!jwt.RequiresHttpsMetadata(environment))
        {
            yield return $"{Section}:RequireHttpsMetadata is false: remove it (it defaults to true outside Development).";
        }

        if (string.IsNullOrWhiteSpace(jwt.Issuer))
        {
            yield return $"{Section}:Issuer is not set: set it to the 'iss' Identity writes into its access tokens (its public https address).";
        }
        else if (!IsHttps(jwt.Issuer))
        {
            yield return $"{Section}:Issuer is '{jwt.Issuer}': Identity's public issuer must be an https:// address.";
        }

        if (string.IsNullOrWhiteSpace(jwt.Audience))
        {
            yield return $"{Section}:Audience is empty: set it to this service's audience (default '{SecureStackJwtOptions.DefaultAudience}').";
        }

        var parameters = bearerOptions.Get(JwtBearerDefaults.AuthenticationScheme).TokenValidationParameters;
        if (!parameters.ValidateIssuer || !parameters.ValidateAudience || !parameters.ValidateLifetime
            || !parameters.ValidateIssuerSigningKey || !parameters.RequireSignedTokens || !parameters.RequireExpirationTime)
        {
            yield return "JwtBearer token validation has a check switched off (issuer, audience, lifetime, signing key, signed tokens or expiry): turn it back on.";
        }

        if (parameters.ClockSkew > MaxClockSkew)
        {
            yield return $"JwtBearer ClockSkew is {parameters.ClockSkew}: keep it at 30 seconds or less.";
        }

        if (parameters.ValidAlgorithms is null || !parameters.ValidAlgorithms.Any()
            || parameters.ValidAlgorithms.Any(algorithm => !IsAsymmetric(algorithm)))
        {
            yield return "JwtBearer ValidAlgorithms must list only asymmetric algorithms (RS256): a symmetric or 'none' algorithm lets anyone holding the public key sign tokens.";
        }
    }

    private static bool IsHttps(string? address) =>
        Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps;

    private static bool IsAsymmetric(string algorithm) =>
        algorithm is SecurityAlgorithms.RsaSha256 or SecurityAlgorithms.RsaSha384 or SecurityAlgorithms.RsaSha512
            or SecurityAlgorithms.RsaSsaPssSha256 or SecurityAlgorithms.RsaSsaPssSha384 or SecurityAlgorithms.RsaSsaPssSha512
            or SecurityAlgorithms.EcdsaSha256 or SecurityAlgorithms.EcdsaSha384 or SecurityAlgorithms.EcdsaSha512;
}
