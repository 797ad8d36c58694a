using System.Security.Claims;

namespace SecureStack.Gateway.RateLimiting;

/// <summary>Finds a request's partition for a policy.</summary>
internal sealed class RateLimitPartitioner(ClientAddressResolver addresses, TokenRequestFormReader forms)
{
    // Claim names as the token server issues them (JwtBearer with MapInboundClaims = false keeps them as is).
    private const string SubjectClaim = "sub";
    private const string ClientIdClaim = "client_id";
    private const string AuthorizedPartyClaim = "azp";
    private const int MaxIdentifierLength = 256;

    /// <summary>
    /// The request's partition for a policy; null when the policy does not count this request (a token policy
    /// for another grant, or a token form that <see cref="TokenRequestFormReader"/> refused).
    /// </summary>
    public async ValueTask<RequestPartition?> GetPartitionAsync(HttpContext context, RateLimitPartitionBy partitionBy)
    {
        if (partitionBy == RateLimitPartitionBy.Global)
        {
            return new RequestPartition(RequestPartition.Global, "all");
        }

        if (partitionBy == RateLimitPartitionBy.User && ForUser(context.User) is { } user)
        {
            return user;
        }

        var address = ClientAddressResolver.PartitionValue(addresses.Resolve(context));
        if (partitionBy.IsTokenRequest())
        {
            return (await forms.ReadAsync(context)).Form is { } form ? ForTokenRequest(form, partitionBy, address) : null;
        }

        return new RequestPartition(RequestPartition.Ip, address);
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
    /// A token request's partition for one of the token policies, or null when that policy does not count it.
    /// Keyed on what the caller presents and an attacker cannot present for someone else: an anonymous caller who
    /// knows only public client ids (or a user name) can spend its own address's budgets, never a victim's.
    /// </summary>
    internal static RequestPartition? ForTokenRequest(TokenRequestForm form, RateLimitPartitionBy partitionBy, string address)
    {
        var devicePoll = form.IsGrant(TokenRequestForm.DeviceCodeGrant) && form.DeviceCode is not null;
        var userName = form.IsGrant(TokenRequestForm.PasswordGrant) && Bounded(form.UserName) is { } name
            // Case-folded: "Alice" and "alice" are the same account to a guesser.
            ? name.ToUpperInvariant()
            : null;

        switch (partitionBy)
        {
            case RateLimitPartitionBy.TokenDeviceCode:
                // One device's polls: its interval is the limit (RFC 8628 3.5), whatever other devices of the client do.
                return devicePoll ? RequestPartition.ForSecret(RequestPartition.DeviceCode, form.DeviceCode!) : null;
            case RateLimitPartitionBy.TokenUserName:
                return userName is null ? null : new RequestPartition(RequestPartition.UserName, userName);
        }

        if (devicePoll)
        {
            return null;
        }

        if (userName is not null)
        {
            // Not the user name alone: a guesser elsewhere would spend the owner's own logins (the account-wide
            // cap is TokenUserName's, counted only for guesses this partition admitted).
            return RequestPartition.AtAddress(RequestPartition.UserNameAtAddress, userName, address);
        }

        if (form.PresentsClientSecret)
        {
            // Secret guessing is capped per client at the guesser's address, whatever grant or token it wraps the
            // guess in; the real client elsewhere keeps its own budget.
            return RequestPartition.AtAddress(RequestPartition.ClientAtAddress, Bounded(form.ClientId) ?? string.Empty, address);
        }

        if (form.IsGrant(TokenRequestForm.RefreshTokenGrant) && form.RefreshToken is { } refreshToken)
        {
            // Only the holder of a refresh token can spend its budget; a junk token is a fresh partition, but
            // the address's budget (token-ip) admitted it first.
            return RequestPartition.ForSecret(RequestPartition.RefreshToken, refreshToken);
        }

        if (form.IsGrant(TokenRequestForm.AuthorizationCodeGrant) && form.Code is { } code)
        {
            return RequestPartition.ForSecret(RequestPartition.AuthorizationCode, code);
        }

        return Bounded(form.ClientId) is { } client
            ? RequestPartition.AtAddress(RequestPartition.ClientAtAddress, client, address)
            : new RequestPartition(RequestPartition.Ip, address);
    }

    private static string? Bounded(string? value) =>
        string.IsNullOrWhiteSpace(value) || value.Length > MaxIdentifierLength ? null : value.Trim();
}
