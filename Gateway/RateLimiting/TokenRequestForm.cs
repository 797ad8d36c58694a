using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace SecureStack.Gateway.RateLimiting;

/// <summary>The parameters of a <c>/connect/token</c> request (RFC 6749 3.2) that choose its partitions.</summary>
internal sealed record TokenRequestForm(
    string? GrantType,
    string? UserName,
    string? RefreshToken,
    string? Code,
    string? DeviceCode,
    string? ClientId,
    bool PresentsClientSecret)
{
    public const string PasswordGrant = "password";
    public const string RefreshTokenGrant = "refresh_token";
    public const string AuthorizationCodeGrant = "authorization_code";
    public const string DeviceCodeGrant = "urn:ietf:params:oauth:grant-type:device_code";

    public bool IsGrant(string grantType) => string.Equals(GrantType, grantType, StringComparison.Ordinal);
}

/// <summary>
/// A token request the Gateway will not forward because it cannot tell which partitions it belongs to. Every
/// such form would otherwise be counted more loosely than a readable one (by address only, never against the
/// account it guesses at), so refusing it is the strictest limit: it never reaches Identity.
/// </summary>
/// <param name="Reason">A fixed word for logs and metrics: media-type, length-required, too-large, unreadable, repeated-parameter.</param>
internal sealed record TokenRequestRefusal(int Status, string Title, string Detail, string Reason);

/// <summary>The form, or why it was refused; read once per request whatever the number of policies that ask.</summary>
internal sealed record TokenRequestFormResult(TokenRequestForm? Form, TokenRequestRefusal? Refusal);

/// <summary>
/// Reads a token request's form for the limiter: only a small, plain UTF-8 url-encoded form with a length,
/// buffered so it is still forwarded whole. What this reader sees is what Identity will see, or the request is
/// refused: a form Identity would parse differently (another charset, a repeated parameter it might take the
/// first value of) would let a guesser be counted under one name and guess under another.
/// </summary>
internal sealed class TokenRequestFormReader(IOptions<RateLimitingOptions> options)
{
    private const int MaxFields = 32;
    private const int MaxKeyLength = 64;
    private const int MaxBasicAuthorizationLength = 1024;

    // The parameters a partition is chosen by: each must appear at most once (RFC 6749 3.2 says so for all).
    private static readonly string[] KeyedParameters = ["grant_type", "username", "refresh_token", "code", "device_code", "client_id", "client_secret"];

    public async ValueTask<TokenRequestFormResult> ReadAsync(HttpContext context)
    {
        if (context.Features.Get<TokenRequestFormResult>() is { } read)
        {
            return read;
        }

        var result = await ReadUncachedAsync(context);
        context.Features.Set(result);
        return result;
    }

    private async ValueTask<TokenRequestFormResult> ReadUncachedAsync(HttpContext context)
    {
        var request = context.Request;
        var maxBytes = options.Value.MaxTokenRequestBodyBytes;

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)
            || (contentType.Charset.HasValue && !contentType.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)))
        {
            return Refuse(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type.",
                "A token request is an application/x-www-form-urlencoded form in UTF-8 (RFC 6749 3.2).", "media-type");
        }

        if (request.ContentLength is not { } length)
        {
            return Refuse(StatusCodes.Status411LengthRequired, "Length required.",
                "A token request must state its Content-Length.", "length-required");
        }

        if (length > maxBytes)
        {
            return Refuse(StatusCodes.Status413PayloadTooLarge, "Request body too large.",
                $"A token request may be at most {maxBytes} bytes.", "too-large");
        }

        Dictionary<string, Microsoft.Extensions.Primitives.StringValues> form;
        request.EnableBuffering(bufferThreshold: maxBytes, bufferLimit: maxBytes);
        try
        {
            using var reader = new FormReader(request.Body, Encoding.UTF8)
            {
                ValueCountLimit = MaxFields,
                KeyLengthLimit = MaxKeyLength,
                ValueLengthLimit = maxBytes,
            };
            form = await reader.ReadFormAsync(context.RequestAborted);
        }
        catch (InvalidDataException)
        {
            return Refuse(StatusCodes.Status400BadRequest, "Unreadable token request.",
                $"A token request has at most {MaxFields} parameters, each name at most {MaxKeyLength} characters.", "unreadable");
        }
        finally
        {
            request.Body.Position = 0;
        }

        if (KeyedParameters.Any(name => form.TryGetValue(name, out var values) && values.Count > 1))
        {
            return Refuse(StatusCodes.Status400BadRequest, "Repeated parameter.",
                "A token request parameter must not be included more than once (RFC 6749 3.2).", "repeated-parameter");
        }

        var authorization = request.Headers.Authorization.ToString();
        var basic = authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase);
        return new TokenRequestFormResult(
            new TokenRequestForm(
                GrantType: Single(form, "grant_type"),
                UserName: Single(form, "username"),
                RefreshToken: Single(form, "refresh_token"),
                Code: Single(form, "code"),
                DeviceCode: Single(form, "device_code"),
                ClientId: (basic ? BasicAuthenticationClientId(authorization) : null) ?? Single(form, "client_id"),
                PresentsClientSecret: basic || form.ContainsKey("client_secret")),
            Refusal: null);
    }

    private static string? Single(Dictionary<string, Microsoft.Extensions.Primitives.StringValues> form, string name) =>
        form.TryGetValue(name, out var values) && values.Count == 1 && !string.IsNullOrEmpty(values[0]) ? values[0] : null;

    private static TokenRequestFormResult Refuse(int status, string title, string detail, string reason) =>
        new(Form: null, new TokenRequestRefusal(status, title, detail, reason));

    private static string? BasicAuthenticationClientId(string authorization)
    {
        if (authorization.Length > MaxBasicAuthorizationLength)
        {
            return null;
        }

        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorization["Basic ".Length..].Trim()));
            var separator = decoded.IndexOf(':', StringComparison.Ordinal);
            // RFC 6749 2.3.1: the client id is form-url-encoded before it is put in the header.
            return separator > 0 ? Uri.UnescapeDataString(decoded[..separator].Replace('+', ' ')) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
