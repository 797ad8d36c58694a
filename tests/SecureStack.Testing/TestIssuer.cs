using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace SecureStack.Testing;

/// <summary>
/// A real, minimal token issuer: an RSA key pair, a discovery document and a JWKS served over a service's metadata
/// HttpClient, and RS256 access tokens shaped like Identity's. The Api validates these exactly as it validates
/// Identity's; nothing about authentication is faked.
/// </summary>
public sealed class TestIssuer : IDisposable
{
    /// <summary>Where the Api reaches the issuer (internal), deliberately different from <see cref="Issuer"/>.</summary>
    public const string Authority = "https://identity.test";

    /// <summary>The public issuer written into tokens and into the discovery document's URLs.</summary>
    public const string Issuer = "https://issuer.test";

    public const string Audience = "securestack-api";

    private readonly RSA _signingRsa = RSA.Create(2048);
    private readonly List<RsaSecurityKey> _published = [];
    private int _discoveryRequests;
    private int _jwksRequests;
    private int _failedRequests;

    public TestIssuer()
    {
        SigningKey = new RsaSecurityKey(_signingRsa) { KeyId = "test-key-1" };
        _published.Add(SigningKey);
    }

    public RsaSecurityKey SigningKey { get; private set; }

    public int DiscoveryRequests => Volatile.Read(ref _discoveryRequests);

    public int JwksRequests => Volatile.Read(ref _jwksRequests);

    /// <summary>While set, the issuer is down: every metadata request fails as a refused connection does.</summary>
    public bool Unreachable { get; set; }

    /// <summary>Metadata requests that failed because the issuer was <see cref="Unreachable"/>.</summary>
    public int FailedRequests => Volatile.Read(ref _failedRequests);

    /// <summary>Requests for anything but the two documents at the authority (e.g. at the public issuer).</summary>
    public List<string> UnexpectedRequests { get; } = [];

    /// <summary>Starts signing with a new key and publishes it beside the old one, as Identity does on rotation.</summary>
    public RsaSecurityKey RotateKey(string keyId)
    {
        var rsa = RSA.Create(2048);
        var key = new RsaSecurityKey(rsa) { KeyId = keyId };
        lock (_published)
        {
            _published.Add(key);
        }

        SigningKey = key;
        return key;
    }

    public HttpMessageHandler CreateHandler() => new MetadataHandler(this);

    public string CreateToken(TokenSpec? spec = null)
    {
        spec ??= new TokenSpec();
        var now = DateTime.UtcNow;
        var claims = new Dictionary<string, object>
        {
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["client_id"] = spec.ClientId,
        };
        if (spec.Subject is not null)
        {
            claims["sub"] = spec.Subject;
        }

        if (spec.Scopes.Length > 0)
        {
            claims["scope"] = string.Join(' ', spec.Scopes);
        }

        if (spec.Roles.Length > 0)
        {
            claims["role"] = spec.Roles.Length == 1 ? spec.Roles[0] : spec.Roles;
        }

        var expires = now + spec.ExpiresIn;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = spec.Issuer,
            Audience = spec.Audience,
            Claims = claims,
            IssuedAt = expires - TimeSpan.FromMinutes(15),
            NotBefore = expires - TimeSpan.FromMinutes(15),
            Expires = expires,
            TokenType = spec.TokenType,
            SigningCredentials = spec.SigningCredentials ?? new SigningCredentials(SigningKey, SecurityAlgorithms.RsaSha256),
        };

        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    /// <summary>An unsigned token (<c>alg: none</c>) with otherwise valid claims.</summary>
    public string CreateUnsignedToken(TokenSpec? spec = null)
    {
        var signed = CreateToken(spec);
        var payload = signed.Split('.')[1];
        var header = Base64Url.EncodeToString("""{"alg":"none","typ":"at+jwt"}"""u8);
        return $"{header}.{payload}.";
    }

    /// <summary>
    /// HS256 signed with the issuer's public key as the HMAC secret: the classic key-confusion forgery that works
    /// against a validator which lets the token choose its algorithm.
    /// </summary>
    public string CreateKeyConfusionToken(TokenSpec? spec = null)
    {
        var publicKey = new SymmetricSecurityKey(_signingRsa.ExportSubjectPublicKeyInfo()) { KeyId = SigningKey.KeyId };
        return CreateToken((spec ?? new TokenSpec()) with
        {
            SigningCredentials = new SigningCredentials(publicKey, SecurityAlgorithms.HmacSha256),
        });
    }

    public void Dispose()
    {
        lock (_published)
        {
            foreach (var key in _published)
            {
                key.Rsa?.Dispose();
            }
        }
    }

    private string DiscoveryDocument() => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["issuer"] = Issuer,
        // Named at the public issuer, as Identity does; the Api must fetch it through the authority.
        ["jwks_uri"] = $"{Issuer}/.well-known/jwks",
        ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
    });

    private string JwksDocument()
    {
        lock (_published)
        {
            var keys = _published.Select(key =>
            {
                var parameters = key.Rsa.ExportParameters(includePrivateParameters: false);
                return new Dictionary<string, string>
                {
                    ["kty"] = "RSA",
                    ["use"] = "sig",
                    ["alg"] = "RS256",
                    ["kid"] = key.KeyId,
                    ["n"] = Base64Url.EncodeToString(parameters.Modulus),
                    ["e"] = Base64Url.EncodeToString(parameters.Exponent),
                };
            });
            return JsonSerializer.Serialize(new { keys });
        }
    }

    private sealed class MetadataHandler(TestIssuer issuer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (issuer.Unreachable)
            {
                Interlocked.Increment(ref issuer._failedRequests);
                throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (test issuer down).");
            }

            var uri = request.RequestUri!;
            string? body = null;
            if (uri.Host == "identity.test" && uri.Scheme == Uri.UriSchemeHttps)
            {
                if (uri.AbsolutePath == "/.well-known/openid-configuration")
                {
                    Interlocked.Increment(ref issuer._discoveryRequests);
                    body = issuer.DiscoveryDocument();
                }
                else if (uri.AbsolutePath == "/.well-known/jwks")
                {
                    Interlocked.Increment(ref issuer._jwksRequests);
                    body = issuer.JwksDocument();
                }
            }

            if (body is null)
            {
                lock (issuer.UnexpectedRequests)
                {
                    issuer.UnexpectedRequests.Add(uri.ToString());
                }

                return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.NotFound));
            }

            return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK)
            {
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
            });
        }
    }
}

/// <summary>What goes into a test token. The defaults are a valid user token with read and write scopes.</summary>
public sealed record TokenSpec
{
    public string? Subject { get; init; } = "user-" + Guid.NewGuid().ToString("N");

    public string ClientId { get; init; } = "securestack-spa";

    public string[] Scopes { get; init; } = ["api.read", "api.write"];

    public string[] Roles { get; init; } = [];

    public string Issuer { get; init; } = TestIssuer.Issuer;

    public string Audience { get; init; } = TestIssuer.Audience;

    public TimeSpan ExpiresIn { get; init; } = TimeSpan.FromMinutes(15);

    public string TokenType { get; init; } = "at+jwt";

    public SigningCredentials? SigningCredentials { get; init; }

    public static TokenSpec User(params string[] scopes) => new() { Scopes = scopes };

    public static TokenSpec Admin() => new() { Scopes = ["api.read", "api.write", "api.admin"], Roles = ["admin"] };

    /// <summary>A client-credentials token: the subject is the client itself, there is no user and no role.</summary>
    public static TokenSpec Client(string clientId, params string[] scopes) => new() { Subject = clientId, ClientId = clientId, Scopes = scopes };
}
