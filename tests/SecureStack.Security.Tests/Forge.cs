using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace SecureStack.Security.Tests;

/// <summary>
/// Builds JWTs byte by byte, as an attacker would: any header, any payload, any (or no) signature. A library
/// that refuses to produce a malformed token cannot test that the validator refuses it.
/// </summary>
public static class Forge
{
    public static (JsonObject Header, JsonObject Payload) Decode(string token)
    {
        var parts = token.Split('.');
        return (Parse(parts[0]), Parse(parts[1]));
    }

    public static string Segment(JsonNode node) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(node.ToJsonString()));

    public static string Unsigned(JsonObject header, JsonObject payload) => $"{Segment(header)}.{Segment(payload)}.";

    public static string Hs256(JsonObject header, JsonObject payload, byte[] key)
    {
        header["alg"] = "HS256";
        var input = $"{Segment(header)}.{Segment(payload)}";
        return $"{input}.{Base64Url.EncodeToString(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(input)))}";
    }

    public static string Rs256(JsonObject header, JsonObject payload, RSA key)
    {
        header["alg"] = "RS256";
        var input = $"{Segment(header)}.{Segment(payload)}";
        var signature = key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{input}.{Base64Url.EncodeToString(signature)}";
    }

    /// <summary>The public part of <paramref name="key"/> as a JWK, for an embedded <c>jwk</c> header.</summary>
    public static JsonObject Jwk(RSA key, string kid)
    {
        var parameters = key.ExportParameters(includePrivateParameters: false);
        return new JsonObject
        {
            ["kty"] = "RSA",
            ["kid"] = kid,
            ["use"] = "sig",
            ["n"] = Base64Url.EncodeToString(parameters.Modulus),
            ["e"] = Base64Url.EncodeToString(parameters.Exponent),
        };
    }

    public static long UnixTime(DateTimeOffset time) => time.ToUnixTimeSeconds();

    private static JsonObject Parse(string segment) =>
        JsonNode.Parse(Base64Url.DecodeFromChars(segment))!.AsObject();
}
