using System.Security.Claims;
using SecureStack.ServiceDefaults.Authentication;

namespace SecureStack.Api.Extensions;

public static class CallerExtensions
{
    private const string ClientOwnerPrefix = "client:";

    /// <summary>
    /// Whose notes the caller may touch. A user owns by <c>sub</c>. A client-credentials token has
    /// <c>sub</c> = <c>client_id</c> and owns under <c>client:{id}</c>, so a client whose id happened to equal some
    /// user's subject still could not reach that user's notes.
    /// </summary>
    public static string OwnerId(this ClaimsPrincipal user)
    {
        var subject = user.FindFirstValue(SecureStackClaimTypes.Subject)
            ?? throw new InvalidOperationException("The authorization policies admit no caller without a 'sub' claim.");
        var clientId = user.FindFirstValue(SecureStackClaimTypes.ClientId);
        return string.Equals(subject, clientId, StringComparison.Ordinal) ? ClientOwnerPrefix + subject : subject;
    }
}
