using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SecureStack.ServiceDefaults.Security;
using SecureStack.Testing;

namespace SecureStack.Benchmarks;

/// <summary>
/// An access token validated as the Gateway validates it: the shared <c>AddSecureStackJwtBearer</c> registration
/// (issuer, audience, lifetime, RS256 only, <c>at+jwt</c>), keys from a real issuer's JWKS (<see cref="TestIssuer"/>,
/// RSA 2048 like Identity's). Without Redis, so the revocation check (a lookup in the in-memory deny-list) is
/// measured on its own in <see cref="RedisDecisionBenchmarks"/>.
/// </summary>
[MemoryDiagnoser]
public class TokenValidationBenchmarks
{
    private TestIssuer _issuer = null!;
    private WebApplication _app = null!;
    private WebApplication _uncachedApp = null!;
    private string _token = null!;
    private JsonWebTokenHandler _tokenHandler = null!;
    private TokenValidationParameters _parameters = null!;

    [GlobalSetup]
    public async Task SetUp()
    {
        _issuer = new TestIssuer();
        _app = BuildValidator(cacheDuration: null);
        _uncachedApp = BuildValidator(cacheDuration: "00:00:00");

        _token = _issuer.CreateToken(TokenSpec.Client("securestack-service", "api.read", "api.write"));

        // The same parameters JwtBearer uses, with the keys it fetched: the library's share of the cost.
        var bearer = _app.Services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(JwtBearerDefaults.AuthenticationScheme);
        var configuration = await bearer.ConfigurationManager!.GetConfigurationAsync(CancellationToken.None);
        _parameters = bearer.TokenValidationParameters.Clone();
        _parameters.ValidIssuer ??= configuration.Issuer;
        _parameters.IssuerSigningKeys = configuration.SigningKeys;
        _tokenHandler = new JsonWebTokenHandler { MapInboundClaims = false };

        if (!(await AuthenticateWithJwtBearer()).Succeeded || !(await AuthenticateWithJwtBearerUncached()).Succeeded
            || !(await ValidateWithTokenHandler()).IsValid)
        {
            throw new InvalidOperationException("The benchmark token does not validate: the figures would measure a failure path.");
        }
    }

    [GlobalCleanup]
    public async Task CleanUp()
    {
        await _app.DisposeAsync();
        await _uncachedApp.DisposeAsync();
        _issuer.Dispose();
    }

    /// <summary>
    /// What the Gateway runs per request: the authentication handler end to end, for a token it has seen before
    /// (a client reuses its token until it expires), so the validated-token cache answers.
    /// </summary>
    [Benchmark(Baseline = true)]
    public Task<AuthenticateResult> AuthenticateWithJwtBearer() => Authenticate(_app);

    /// <summary>The same with the validated-token cache off: every request validates the token in full.</summary>
    [Benchmark]
    public Task<AuthenticateResult> AuthenticateWithJwtBearerUncached() => Authenticate(_uncachedApp);

    private async Task<AuthenticateResult> Authenticate(WebApplication app)
    {
        // A scope per request, as ASP.NET Core makes one: authentication handlers are per request and cache their result.
        await using var scope = app.Services.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Request.Headers.Authorization = "Bearer " + _token;
        var result = await context.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme);
        return result.Succeeded ? result : throw new InvalidOperationException("The token did not validate.", result.Failure);
    }

    private WebApplication BuildValidator(string? cacheDuration)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration["Authentication:Jwt:Authority"] = TestIssuer.Authority;
        builder.Configuration["Authentication:Jwt:Issuer"] = TestIssuer.Issuer;
        builder.Configuration["Authentication:Jwt:Audience"] = TestIssuer.Audience;
        if (cacheDuration is not null)
        {
            builder.Configuration["Authentication:Jwt:ValidatedTokenCacheDuration"] = cacheDuration;
        }

        builder.Services.TryAddSingleton<SecurityEvents>();
        builder.AddSecureStackJwtBearer();
        builder.Services.AddHttpClient(SecureStackJwtBearerExtensions.MetadataHttpClientName)
            .ConfigurePrimaryHttpMessageHandler(_issuer.CreateHandler);
        return builder.Build();
    }

    /// <summary>The token handler alone: parsing, RS256 signature and claim checks.</summary>
    [Benchmark]
    public Task<TokenValidationResult> ValidateWithTokenHandler() => _tokenHandler.ValidateTokenAsync(_token, _parameters);
}
