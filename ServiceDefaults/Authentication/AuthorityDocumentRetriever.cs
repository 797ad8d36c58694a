using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.Protocols;

namespace SecureStack.ServiceDefaults.Authentication;

/// <summary>
/// Fetches the discovery document and the JWKS through a named client from <see cref="IHttpClientFactory"/>, so
/// service discovery (<c>https://identity</c>), resilience and telemetry apply to them. Identity is reached at its
/// internal authority but names its public issuer in the documents it serves; addresses under the issuer are
/// fetched through the authority, so the keys always come from the Identity this service was pointed at.
/// </summary>
public sealed class AuthorityDocumentRetriever(
    IHttpClientFactory httpClientFactory,
    string authority,
    string? issuer,
    bool requireHttps) : IDocumentRetriever
{
    public async Task<string> GetDocumentAsync(string address, CancellationToken cancel)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);

        var target = ThroughAuthority(address);
        if (requireHttps && !target.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            // A key set fetched over plaintext can be replaced in transit, and then any token validates.
            throw new InvalidOperationException(
                $"Refusing to fetch token signing metadata over a non-HTTPS address '{target}'. Use https:// or, in Development only, set {SecureStackJwtOptions.SectionName}:RequireHttpsMetadata to false.");
        }

        var client = httpClientFactory.CreateClient(SecureStackJwtBearerExtensions.MetadataHttpClientName);
        using var response = await client.GetAsync(new Uri(target), cancel).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new IOException($"Fetching token signing metadata from '{target}' returned {(int)response.StatusCode}.");
        }

        return await response.Content.ReadAsStringAsync(cancel).ConfigureAwait(false);
    }

    internal string ThroughAuthority(string address)
    {
        if (string.IsNullOrEmpty(issuer))
        {
            return address;
        }

        var issuerBase = issuer.TrimEnd('/') + "/";
        return address.StartsWith(issuerBase, StringComparison.OrdinalIgnoreCase)
            ? authority.TrimEnd('/') + "/" + address[issuerBase.Length..]
            : address;
    }
}
