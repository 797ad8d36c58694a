using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace SecureStack.Gateway.RateLimiting;

/// <summary>Finds a request's partition for a policy.</summary>
internal sealed class RateLimitPartitioner(ClientAddressResolver addresses, IOptions<RateLimitingOptions> options)
{
    // Claim names as the token server issues them (JwtBearer with MapInboundClaims = false keeps them as is).
    private const string SubjectClaim = "sub";
    private const string ClientIdClaim = "client_id";
    private const string AuthorizedPartyClaim = "azp";
    private const int MaxIdentifierLength = 256;

    public async ValueTask<RequestPartition> GetPartitionAsync(HttpContext context, RateLimitPartitionBy partitionBy)
    {
        switch (partitionBy)
        {
            case RateLimitPartitionBy.Global:
                return new RequestPartition(RequestPartition.Global, "all");
            case RateLimitPartitionBy.User when ForUser(context.User) is { } user:
                return user;
            case RateLimitPartitionBy.TokenClient when await ForTokenRequestAsync(context) is { } client:
                return client;
            default:
                return new RequestPartition(RequestPartition.Ip, ClientAddressResolver.PartitionValue(addresses.Resolve(context)));
        }
    }

    /// <summary>
    /// An authenticated user by subject; a machine token (no subject, or Identity's client-credentials shape where
    /// the subject is the client itself) by client; anonymous: null.
    /// </summary>
    internal static RequestPartition? ForUser(ClaimsPrincipal user)
    {
        if (user.Identity?.IsAuthenticated != true)
        {
            return null;
        }

        var client = Bounded(user.FindFirst(ClientIdClaim)?.Value ?? user.FindFirst(AuthorizedPartyClaim)?.Value);
        var subject = Bounded(user.FindFirst(SubjectClaim)?.Value);
        if (subject is not null && subject != client)
        {
            return new RequestPartition(RequestPartition.Subject, subject);
        }

        return client is not null ? new RequestPartition(RequestPartition.Client, client) : null;
    }

    /// <summary>
    /// The user name (password guessing) or client id (secret guessing) a token request names. Only a small
    /// url-encoded form is read, buffered so it is still forwarded whole; anything else is partitioned by IP.
    /// </summary>
    private async ValueTask<RequestPartition?> ForTokenRequestAsync(HttpContext context)
    {
        var request = context.Request;
        string? userName = null;
        string? clientId = null;

        var maxBytes = options.Value.MaxTokenRequestBodyBytes;
        if (HttpMethods.IsPost(request.Method)
            && request.ContentLength is { } length && length > 0 && length <= maxBytes
            && MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            && contentType.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            request.EnableBuffering(bufferThreshold: maxBytes, bufferLimit: maxBytes);
            try
            {
                using var reader = new FormReader(request.Body, Encoding.UTF8)
                {
                    ValueCountLimit = 32,
                    KeyLengthLimit = 64,
                    ValueLengthLimit = maxBytes,
                };
                var form = await reader.ReadFormAsync(context.RequestAborted);
                // One value or none: "username=alice&username=decoy-17" must not open a fresh bucket per decoy.
                // A repeated parameter falls back to the address partition.
                userName = form.TryGetValue("username", out var names) && names.Count == 1 ? names[0] : null;
                clientId = form.TryGetValue("client_id", out var ids) && ids.Count == 1 ? ids[0] : null;
            }
            catch (InvalidDataException)
            {
                // A malformed form is the token server's to reject; here it just has no client to partition by.
            }
            finally
            {
                request.Body.Position = 0;
            }
        }

        clientId ??= BasicAuthenticationClientId(request);

        if (Bounded(userName) is { } user)
        {
            // Case-folded: "Alice" and "alice" are the same account to a guesser.
            return new RequestPartition(RequestPartition.UserName, user.ToUpperInvariant());
        }

        return Bounded(clientId) is { } client ? new RequestPartition(RequestPartition.Client, client) : null;
    }

    private static string? BasicAuthenticationClientId(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase) || authorization.Length > 1024)
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

    private static string? Bounded(string? value) =>
        string.IsNullOrWhiteSpace(value) || value.Length > MaxIdentifierLength ? null : value.Trim();
}
