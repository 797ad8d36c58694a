using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SecureStack.Identity.Tests.Infrastructure;
using SecureStack.ServiceDefaults.Security;

namespace SecureStack.Identity.Tests;

/// <summary>Outside Development: configured certificates, a fixed issuer, and refusal of every demo shortcut.</summary>
[Collection(OwnServerCollection.Name)]
public sealed class ProductionConfigurationTests
{
    private static readonly (string Base64, System.Security.Cryptography.X509Certificates.X509Certificate2 Public) Current =
        TestCertificates.Create("current signing", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(90));

    private static readonly (string Base64, System.Security.Cryptography.X509Certificates.X509Certificate2 Public) Next =
        TestCertificates.Create("next signing", DateTimeOffset.UtcNow.AddDays(30), DateTimeOffset.UtcNow.AddDays(400));

    private static readonly (string Base64, System.Security.Cryptography.X509Certificates.X509Certificate2 Public) Encryption =
        TestCertificates.Create("encryption", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(90));

    [Fact]
    public async Task JwksPublishesTheNextKeyButTokensAreSignedWithTheCurrentOne()
    {
        await using var factory = Production(TestCertificates.ProductionSettings(Current.Base64, Encryption.Base64, Next.Base64));
        var client = HttpsClient(factory);

        var keys = await OAuth.JwksAsync(client);
        var token = (await OAuth.ClientCredentialsAsync(client)).String("access_token");
        var handler = new JsonWebTokenHandler();
        var withCurrent = await handler.ValidateTokenAsync(token, Parameters(new X509SecurityKey(Current.Public)));
        var withNext = await handler.ValidateTokenAsync(token, Parameters(new X509SecurityKey(Next.Public)));

        Assert.Equal(2, keys.Keys.Count);
        Assert.True(withCurrent.IsValid, withCurrent.Exception?.Message);
        Assert.False(withNext.IsValid);
        Assert.Empty(factory.Services.GetRequiredService<SecuritySelfCheckRunner>().Findings);
    }

    [Fact]
    public async Task TheAntiforgeryAndSignInCookiesAreSecureHttpOnlyAndSameSiteOutsideDevelopment()
    {
        var settings = TestCertificates.ProductionSettings(Current.Base64, Encryption.Base64);
        settings["Identity:Registration:Enabled"] = "true";
        await using var factory = Production(settings);
        var browser = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions
        {
            BaseAddress = new Uri("https://localhost/"),
            AllowAutoRedirect = false,
        });
        const string password = "a long and unusual passphrase 7";
        var userName = await OAuth.RegisterAsync(browser, password);

        using var page = await browser.GetAsync("/account/login", OAuth.Cancel);
        using var login = await OAuth.LoginAsync(browser, userName, password);

        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        AssertCookie(page, "__securestack_antiforgery", "samesite=strict");
        AssertCookie(login, "__securestack_identity", "samesite=lax");
    }

    [Fact]
    public async Task PasswordGrantIsUnsupportedOutsideDevelopment()
    {
        await using var factory = Production(TestCertificates.ProductionSettings(Current.Base64, Encryption.Base64));

        var (status, body) = await OAuth.TokenAsync(HttpsClient(factory), PasswordGrantTests.DemoRequest(IdentityServerFactory.CliClientId));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("unsupported_grant_type", body.String("error"));
    }

    [Fact]
    public async Task EnablingThePasswordGrantOutsideDevelopmentStopsStartUp()
    {
        var settings = TestCertificates.ProductionSettings(Current.Base64, Encryption.Base64);
        settings["Identity:AllowPasswordGrant"] = "true";
        await using var factory = Production(settings);

        var failure = factory.StartupFailure<InsecureConfigurationException>();

        Assert.Contains("Identity:AllowPasswordGrant", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Identity:DisableTransportSecurityRequirement", "true", "Identity:DisableTransportSecurityRequirement")]
    [InlineData("Identity:DemoUser:UserName", "demo@securestack.local", "Identity:DemoUser")]
    public async Task DemoSettingsOutsideDevelopmentStopStartUp(string key, string value, string named)
    {
        var settings = TestCertificates.ProductionSettings(Current.Base64, Encryption.Base64);
        settings[key] = value;
        await using var factory = Production(settings);

        var failure = factory.StartupFailure<InsecureConfigurationException>();

        Assert.Contains(named, failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("RedirectUris", "http://app.example.com/callback")]
    [InlineData("PostLogoutRedirectUris", "http://app.example.com/signed-out")]
    [InlineData("RedirectUris", "http://10.0.0.5/callback")]
    public async Task PlainHttpRedirectUrisForNonLoopbackHostsStopStartUpOutsideDevelopment(string setting, string uri)
    {
        // Issue 14, F14: a code or a logout redirect over plain HTTP can be read or rewritten on the way; RFC 8252
        // §7.3 allows http:// only for the loopback interface, where a native app listens.
        var settings = TestCertificates.ProductionSettings(Current.Base64, Encryption.Base64);
        settings[$"Identity:Clients:{IdentityServerFactory.WebClientId}:{setting}:1"] = uri;
        await using var factory = Production(settings);

        var failure = factory.StartupFailure<InsecureConfigurationException>();

        Assert.Contains($"Identity:Clients:{IdentityServerFactory.WebClientId}:{setting}", failure.Message, StringComparison.Ordinal);
        Assert.Contains(uri, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoopbackHttpAndHttpsRedirectUrisAreAcceptedOutsideDevelopment()
    {
        var settings = TestCertificates.ProductionSettings(Current.Base64, Encryption.Base64);
        settings[$"Identity:Clients:{IdentityServerFactory.WebClientId}:RedirectUris:1"] = "http://127.0.0.1:7890/callback";
        settings[$"Identity:Clients:{IdentityServerFactory.WebClientId}:RedirectUris:2"] = "http://[::1]:7890/callback";
        settings[$"Identity:Clients:{IdentityServerFactory.WebClientId}:RedirectUris:3"] = "https://app.example.com/callback";
        settings[$"Identity:Clients:{IdentityServerFactory.WebClientId}:PostLogoutRedirectUris:0"] = "https://app.example.com/signed-out";
        await using var factory = Production(settings);

        Assert.Empty(factory.Services.GetRequiredService<SecuritySelfCheckRunner>().Findings);
    }

    [Fact]
    public async Task MissingRedisOutsideDevelopmentStopsStartUp()
    {
        // Without Redis a revocation reaches no resource server: the Gateway and the Api would accept the token (F5).
        var settings = TestCertificates.ProductionSettings(Current.Base64, Encryption.Base64);
        settings[$"ConnectionStrings:{RedisExtensions.ConnectionName}"] = null;
        await using var factory = Production(settings);

        var failure = factory.StartupFailure<InsecureConfigurationException>();

        Assert.Contains("ConnectionStrings:redis is not set", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingIssuerAndCertificatesOutsideDevelopmentStopStartUp()
    {
        await using var factory = Production(new Dictionary<string, string?> { ["Identity:Issuer"] = null });

        var failure = factory.StartupFailure<OptionsValidationException>();

        Assert.Contains("Identity:Issuer", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Identity:Keys:SigningCertificates", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownDatabaseProviderStopsStartUpNamingTheSetting()
    {
        await using var factory = new IdentityServerFactory(null, "Development", new Dictionary<string, string?> { ["Database:Provider"] = "Oracle" });

        var failure = factory.StartupFailure<OptionsValidationException>();

        Assert.Contains("Database:Provider", failure.Message, StringComparison.Ordinal);
    }

    private static void AssertCookie(HttpResponseMessage response, string name, string sameSite)
    {
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), header => header.StartsWith(name + "=", StringComparison.Ordinal));
        var attributes = cookie.Split(';', StringSplitOptions.TrimEntries).Skip(1).Select(attribute => attribute.ToLowerInvariant()).ToList();
        Assert.Contains("secure", attributes);
        Assert.Contains("httponly", attributes);
        Assert.Contains(sameSite, attributes);
    }

    private static IdentityServerFactory Production(Dictionary<string, string?> settings) =>
        new(null, "Production", settings);

    private static HttpClient HttpsClient(IdentityServerFactory factory) =>
        factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost/") });

    private static TokenValidationParameters Parameters(SecurityKey key) => new()
    {
        ValidIssuer = "https://localhost/",
        ValidAudience = "securestack-api",
        IssuerSigningKey = key,
        ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        ValidTypes = ["at+jwt"],
    };
}
