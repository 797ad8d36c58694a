using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SecureStack.Identity.Tests.Infrastructure;

namespace SecureStack.Identity.Tests;

public class ClientCredentialsTests(IdentityServerFactory factory)
{
    [Fact]
    public async Task ClientCredentialsTokenValidatesAgainstTheJwksWithStrictParameters()
    {
        var client = factory.CreateClient();
        var tokens = await OAuth.ClientCredentialsAsync(client);
        var accessToken = tokens.String("access_token");
        var keys = await OAuth.JwksAsync(client);

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(accessToken, StrictParameters(keys, "securestack-api"));

        Assert.True(result.IsValid, result.Exception?.ToString());
        var jwt = OAuth.ReadJwt(accessToken);
        Assert.Equal("RS256", jwt.Alg);
        Assert.Equal("at+jwt", jwt.Typ);
        Assert.Equal(IdentityServerFactory.ServiceClientId, jwt.GetClaim("sub").Value);
        Assert.Equal(IdentityServerFactory.ServiceClientId, jwt.GetClaim("client_id").Value);
        Assert.Equal("api.read api.write", jwt.GetClaim("scope").Value);
        Assert.Equal("securestack-api", Assert.Single(jwt.Audiences));
        Assert.False(string.IsNullOrEmpty(jwt.Id));
        Assert.Equal("service", jwt.GetClaim("role").Value);
        Assert.InRange(jwt.ValidTo - jwt.IssuedAt, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(15));
        Assert.Equal("Bearer", tokens.String("token_type"));
    }

    [Fact]
    public async Task TokenIsRejectedForAnotherAudienceOrAnotherAlgorithm()
    {
        var client = factory.CreateClient();
        var accessToken = (await OAuth.ClientCredentialsAsync(client)).String("access_token");
        var keys = await OAuth.JwksAsync(client);
        var handler = new JsonWebTokenHandler();

        var otherAudience = await handler.ValidateTokenAsync(accessToken, StrictParameters(keys, "another-api"));
        var parameters = StrictParameters(keys, "securestack-api");
        parameters.ValidAlgorithms = [SecurityAlgorithms.RsaSsaPssSha256];
        var otherAlgorithm = await handler.ValidateTokenAsync(accessToken, parameters);

        Assert.IsType<SecurityTokenInvalidAudienceException>(otherAudience.Exception);
        Assert.False(otherAlgorithm.IsValid);
    }

    [Fact]
    public async Task WrongClientSecretIsRejectedAsInvalidClient()
    {
        var (status, body) = await OAuth.TokenAsync(factory.CreateClient(), new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = IdentityServerFactory.ServiceClientId,
            ["client_secret"] = "not-the-secret-not-the-secret-not-the-secret",
            ["scope"] = "api.read",
        });

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("invalid_client", body.String("error"));
    }

    [Fact]
    public async Task ScopeNotGrantedToTheClientIsRefused()
    {
        var (status, body) = await OAuth.TokenAsync(factory.CreateClient(), new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = IdentityServerFactory.ServiceClientId,
            ["client_secret"] = IdentityServerFactory.ServiceClientSecret,
            ["scope"] = "api.admin",
        });

        // OpenIddict answers invalid_request (ID2051) for a scope the client has no permission for.
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_request", body.String("error"));
        Assert.Equal("https://documentation.openiddict.com/errors/ID2051", body.String("error_uri"));
    }

    [Fact]
    public async Task ClientSecretIsStoredOnlyAsAHash()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<SecureStack.Identity.Data.ApplicationDbContext>();

        var stored = await context.Set<OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreApplication>()
            .Where(application => application.ClientId == IdentityServerFactory.ServiceClientId)
            .Select(application => application.ClientSecret)
            .SingleAsync(OAuth.Cancel);

        Assert.False(string.IsNullOrEmpty(stored));
        Assert.DoesNotContain(IdentityServerFactory.ServiceClientSecret, stored, StringComparison.Ordinal);
    }

    internal static TokenValidationParameters StrictParameters(JsonWebKeySet keys, string audience) => new()
    {
        ValidIssuer = IdentityServerFactory.Issuer,
        ValidAudience = audience,
        IssuerSigningKeys = keys.GetSigningKeys(),
        ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        ValidTypes = ["at+jwt"],
        ValidateLifetime = true,
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        ClockSkew = TimeSpan.FromSeconds(30),
    };
}
