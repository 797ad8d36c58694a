using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.Protocols;

namespace SecureStack.ServiceDefaults.Authentication;

/// <summary>
/// Fetches the discovery document and the JWKS through a named client from <see cref="IHttpClientFactory"/>, so
/// service discovery (<c>https://identity</c>), resilience and telemetry apply to them. Identity is reached at its
/// internal authority but names its public issuer in the documents it serves, so the addresses those documents
/// name are fetched through the authority (<see cref="ThroughAuthority"/>).
/// </summary>
public sealed class AuthorityDocumentRetriever(
    IHttpClientFactory httpClientFactory,
    string metadataAddress,
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

    /// <summary>
    /// The address to fetch: the metadata address as configured; anything under the public issuer re-rooted at the
    /// authority; any other address the documents name (a <c>jwks_uri</c> at some other host) fetched by its path
    /// from the authority too, so signing keys never come from a host this service was not pointed at.
    /// </summary>
    public string ThroughAuthority(string address)
    {
        var authorityBase = authority.TrimEnd('/') + "/";
        if (string.Equals(address, metadataAddress, StringComparison.Ordinal)
            || address.StartsWith(authorityBase, StringComparison.OrdinalIgnoreCase))
        {
            return address;
        }

        if (!string.IsNullOrEmpty(issuer))
        {
            var issuerBase = issuer.TrimEnd('/') + "/";
            if (address.StartsWith(issuerBase, StringComparison.OrdinalIgnoreCase))
            {
                return authorityBase + address[issuerBase.Length..];
            }
        }

        return Uri.TryCreate(address, UriKind.Absolute, out var uri)
            ? authorityBase + uri.PathAndQuery.TrimStart('/')
            : address;
    }
}
