using System.Net;
using SecureStack.ServiceDefaults.Authentication;

namespace SecureStack.Api.Tests;

/// <summary>Signing metadata always comes from the authority this service was pointed at, and over HTTPS when required.</summary>
public sealed class AuthorityDocumentRetrieverTests
{
    private const string Metadata = "https://identity/.well-known/openid-configuration";

    [Theory]
    [InlineData(Metadata, Metadata)]
    [InlineData("https://identity/.well-known/jwks", "https://identity/.well-known/jwks")]
    [InlineData("https://login.example.com/.well-known/jwks", "https://identity/.well-known/jwks")]
    [InlineData("https://login.example.com/tenant/.well-known/jwks", "https://identity/tenant/.well-known/jwks")]
    [InlineData("https://attacker.example/keys?x=1", "https://identity/keys?x=1")]
    public void AddressesAreFetchedThroughTheAuthority(string named, string fetched)
    {
        var retriever = new AuthorityDocumentRetriever(new RecordingFactory(), Metadata, "https://identity", "https://login.example.com", requireHttps: true);

        Assert.Equal(fetched, retriever.ThroughAuthority(named));
    }

    [Fact]
    public async Task PlaintextAddressIsRefusedWhenHttpsIsRequired()
    {
        var factory = new RecordingFactory();
        var retriever = new AuthorityDocumentRetriever(factory, "http://identity/.well-known/openid-configuration", "http://identity", null, requireHttps: true);

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            retriever.GetDocumentAsync("http://identity/.well-known/openid-configuration", TestContext.Current.CancellationToken));
        Assert.Empty(factory.Requests);
    }

    [Fact]
    public async Task ServiceDiscoveryAddressIsAllowedWhenHttpsIsNotRequired()
    {
        var factory = new RecordingFactory();
        var retriever = new AuthorityDocumentRetriever(factory, "https+http://identity/.well-known/openid-configuration", "https+http://identity", null, requireHttps: false);

        var document = await retriever.GetDocumentAsync("https+http://identity/.well-known/openid-configuration", TestContext.Current.CancellationToken);

        Assert.Equal("{}", document);
        Assert.Equal(["https+http://identity/.well-known/openid-configuration"], factory.Requests);
    }

    private sealed class RecordingFactory : IHttpClientFactory
    {
        public List<string> Requests { get; } = [];

        public HttpClient CreateClient(string name) => new(new Handler(Requests));

        private sealed class Handler(List<string> requests) : HttpMessageHandler
        {
            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                requests.Add(request.RequestUri!.OriginalString);
                return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{}") });
            }
        }
    }
}
