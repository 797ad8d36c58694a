using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SecureStack.Security.Tests;

/// <summary>
/// Forged and misused tokens, sent through the Gateway to a protected route. Every one must be refused with 401
/// (431 for a token too large to read). The positive control proves the forging is sound: a token built the
/// same way, signed with the trusted key and correct in every claim, is accepted.
/// </summary>
[Collection(SecurityCollection.Name)]
public sealed class JwtAttackMatrixTests(SecurityFixture fixture)
{
    private const string ProtectedRoute = "/api/v1/notes";

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public static TheoryData<string> Attacks =>
    [
        "alg-none", "alg-None", "alg-NONE", "alg-nOnE",
        "rs256-to-hs256-with-public-key-der", "rs256-to-hs256-with-public-key-pem",
        "kid-path-traversal", "kid-sql-injection",
        "embedded-jwk", "jku-to-attacker", "x5u-to-attacker",
        "signature-stripped", "payload-tampered-scope", "payload-tampered-sub",
        "expired-beyond-skew", "nbf-in-the-future", "wrong-issuer", "wrong-audience", "no-audience", "no-expiry",
        "typ-jwt-not-access-token", "other-key-same-kid",
    ];

    [Theory]
    [MemberData(nameof(Attacks))]
    public async Task AForgedTokenIsRejectedWith401(string attack)
    {
        var token = await ForgeAsync(attack);

        using var response = await SendAsync(token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        // The challenge says "invalid" and nothing about why: no oracle for tuning the next forgery.
        Assert.DoesNotContain("error_description", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PositiveControlAForgedTokenWithTheTrustedKeyAndValidClaimsIsAccepted()
    {
        var (header, payload) = await RealTokenPartsAsync();

        using var response = await SendAsync(Forge.Rs256(header, payload, TrustedKey()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task AnIdTokenIsNotAnAccessToken()
    {
        var tokens = await fixture.DemoUserTokenResponseAsync();
        var idToken = tokens.GetProperty("id_token").GetString()!;

        using var response = await SendAsync(idToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task AnOversizedTokenIsRefusedBeforeItIsParsed()
    {
        var (header, payload) = await RealTokenPartsAsync();
        // Over the 16 KiB header budget. Kestrel answers 431 and closes; a larger header could still be in flight
        // when it does, which the client sees as a reset: also a refusal, never a 200.
        payload["padding"] = new string('A', 24 * 1024);

        HttpStatusCode? status;
        try
        {
            using var response = await SendAsync(Forge.Rs256(header, payload, TrustedKey()));
            status = response.StatusCode;
        }
        catch (HttpRequestException exception) when (exception.InnerException is IOException)
        {
            status = null;
        }

        Assert.True(
            status is null or HttpStatusCode.RequestHeaderFieldsTooLarge or HttpStatusCode.Unauthorized,
            $"expected 431 or 401, got {(int?)status}");
    }

    [Fact]
    public async Task ARevokedRefreshTokenCannotBeRedeemed()
    {
        var (email, password) = await fixture.RegisterUserAsync("revoked-refresh");
        var tokens = await fixture.RequestTokenAsync(SecurityFixture.PasswordGrant(email, password, "offline_access api.read"));
        var refreshToken = tokens.GetProperty("refresh_token").GetString()!;
        using var gateway = fixture.CreateGatewayClient();

        using var revoked = await RevokeAsync(gateway, refreshToken, "refresh_token");
        using var redeemed = await gateway.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["client_id"] = SecurityFixture.DemoClient,
            ["refresh_token"] = refreshToken,
        }), Cancellation);

        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, redeemed.StatusCode);
        var error = await redeemed.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
        Assert.Equal("invalid_grant", error.GetProperty("error").GetString());
    }

    [Fact]
    public async Task ARevokedAccessTokenIsRejected()
    {
        var (email, password) = await fixture.RegisterUserAsync("revoked-access");
        var tokens = await fixture.RequestTokenAsync(SecurityFixture.PasswordGrant(email, password, "api.read"));
        var accessToken = SecurityFixture.AccessToken(tokens);
        using var gateway = fixture.CreateGatewayClient();
        using var before = await SendAsync(accessToken);

        using var revoked = await RevokeAsync(gateway, accessToken, "access_token");
        using var after = await SendAsync(accessToken);

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    internal static Task<HttpResponseMessage> RevokeAsync(HttpClient gateway, string token, string hint) =>
        gateway.PostAsync("/connect/revoke", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = SecurityFixture.DemoClient,
            ["token"] = token,
            ["token_type_hint"] = hint,
        }), Cancellation);

    private async Task<HttpResponseMessage> SendAsync(string token)
    {
        using var gateway = fixture.CreateGatewayClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, ProtectedRoute);
        request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {token}");
        return await gateway.SendAsync(request, Cancellation);
    }

    private RSA TrustedKey() => fixture.SigningCertificate.GetRSAPrivateKey()!;

    /// <summary>A real access token from Identity (the machine client), split for editing.</summary>
    private async Task<(JsonObject Header, JsonObject Payload)> RealTokenPartsAsync() =>
        Forge.Decode(await fixture.ServiceTokenAsync());

    private async Task<string> ForgeAsync(string attack)
    {
        var realToken = await fixture.ServiceTokenAsync();
        var (header, payload) = Forge.Decode(realToken);
        var kid = header["kid"]!.GetValue<string>();
        var now = DateTimeOffset.UtcNow;
        using var attacker = RSA.Create(2048);

        switch (attack)
        {
            case "alg-none" or "alg-None" or "alg-NONE" or "alg-nOnE":
                header["alg"] = attack["alg-".Length..];
                payload["scope"] = "api.read api.write api.admin";
                return Forge.Unsigned(header, payload);

            case "rs256-to-hs256-with-public-key-der":
                return Forge.Hs256(header, payload, (await PublishedKeyAsync(kid)).ExportSubjectPublicKeyInfo());

            case "rs256-to-hs256-with-public-key-pem":
                return Forge.Hs256(header, payload, Encoding.ASCII.GetBytes((await PublishedKeyAsync(kid)).ExportSubjectPublicKeyInfoPem()));

            case "kid-path-traversal":
                // A validator that reads key files by kid would HMAC with /dev/null's (empty) content.
                header["kid"] = "../../../../../../dev/null";
                return Forge.Hs256(header, payload, []);

            case "kid-sql-injection":
                header["kid"] = "' OR 1=1--";
                return Forge.Rs256(header, payload, attacker);

            case "embedded-jwk":
                header["jwk"] = Forge.Jwk(attacker, kid);
                return Forge.Rs256(header, payload, attacker);

            case "jku-to-attacker":
                header["kid"] = "attacker-key";
                header["jku"] = fixture.Attacker.Url("/jwks.json").ToString();
                return Forge.Rs256(header, payload, attacker);

            case "x5u-to-attacker":
                header["kid"] = "attacker-key";
                header["x5u"] = fixture.Attacker.Url("/cert.pem").ToString();
                return Forge.Rs256(header, payload, attacker);

            case "signature-stripped":
                return realToken[..(realToken.LastIndexOf('.') + 1)];

            case "payload-tampered-scope":
                payload["scope"] = "api.read api.write api.admin";
                payload["role"] = "admin";
                return Resign(realToken, payload);

            case "payload-tampered-sub":
                payload["sub"] = "someone-else";
                return Resign(realToken, payload);

            case "expired-beyond-skew":
                // Skew is 30 s; five minutes past expiry is well beyond it.
                payload["exp"] = Forge.UnixTime(now.AddMinutes(-5));
                payload["iat"] = Forge.UnixTime(now.AddMinutes(-15));
                payload["nbf"] = Forge.UnixTime(now.AddMinutes(-15));
                return Forge.Rs256(header, payload, TrustedKey());

            case "nbf-in-the-future":
                payload["nbf"] = Forge.UnixTime(now.AddMinutes(5));
                payload["iat"] = Forge.UnixTime(now.AddMinutes(5));
                payload["exp"] = Forge.UnixTime(now.AddMinutes(15));
                return Forge.Rs256(header, payload, TrustedKey());

            case "wrong-issuer":
                payload["iss"] = "https://attacker.example/";
                return Forge.Rs256(header, payload, TrustedKey());

            case "wrong-audience":
                payload["aud"] = "another-api";
                return Forge.Rs256(header, payload, TrustedKey());

            case "no-audience":
                payload.Remove("aud");
                return Forge.Rs256(header, payload, TrustedKey());

            case "no-expiry":
                payload.Remove("exp");
                return Forge.Rs256(header, payload, TrustedKey());

            case "typ-jwt-not-access-token":
                // An ID token's shape (RFC 9068: access tokens are typ at+jwt), correctly signed.
                header["typ"] = "JWT";
                return Forge.Rs256(header, payload, TrustedKey());

            case "other-key-same-kid":
                return Forge.Rs256(header, payload, attacker);

            default:
                throw new ArgumentOutOfRangeException(nameof(attack), attack, "unknown attack");
        }
    }

    /// <summary>The edited payload under the original header and signature.</summary>
    private static string Resign(string realToken, JsonObject payload)
    {
        var parts = realToken.Split('.');
        return $"{parts[0]}.{Forge.Segment(payload)}.{parts[2]}";
    }

    /// <summary>The RSA public key Identity publishes under <paramref name="kid"/>, read from the public JWKS.</summary>
    private async Task<RSA> PublishedKeyAsync(string kid)
    {
        var jwks = await fixture.JwksAsync();
        var key = jwks.GetProperty("keys").EnumerateArray().Single(candidate => candidate.GetProperty("kid").GetString() == kid);
        var rsa = RSA.Create();
        rsa.ImportParameters(new RSAParameters
        {
            Modulus = Base64Url.DecodeFromChars(key.GetProperty("n").GetString()),
            Exponent = Base64Url.DecodeFromChars(key.GetProperty("e").GetString()),
        });
        return rsa;
    }
}
