using System.Net.Http.Json;
using System.Text.Json.Serialization;
using BenchmarkDotNet.Attributes;

namespace SecureStack.Benchmarks;

/// <summary>
/// A client-credentials token from the running Identity, end to end over HTTPS (one pooled connection): client
/// authentication (the secret is checked against its stored hash), token creation and RS256 signing.
/// </summary>
[MemoryDiagnoser]
public class TokenIssuanceBenchmarks
{
    private HttpClient _client = null!;
    private Dictionary<string, string> _form = null!;

    [GlobalSetup]
    public async Task SetUp()
    {
        _client = new HttpClient { BaseAddress = BenchmarkEnvironment.IdentityUrl };
        _form = new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = "securestack-service",
            ["client_secret"] = BenchmarkEnvironment.ClientSecret,
            ["scope"] = "api.read api.write",
        };
        if (string.IsNullOrEmpty(await IssueClientCredentialsToken()))
        {
            throw new InvalidOperationException("Identity issued no access token.");
        }
    }

    [GlobalCleanup]
    public void CleanUp() => _client.Dispose();

    [Benchmark]
    public async Task<string?> IssueClientCredentialsToken()
    {
        using var content = new FormUrlEncodedContent(_form);
        using var response = await _client.PostAsync("/connect/token", content);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<TokenResponse>())?.AccessToken;
    }

    private sealed record TokenResponse([property: JsonPropertyName("access_token")] string AccessToken);
}
