using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.Tokens;

namespace SecureStack.Identity.Tests.Infrastructure;

/// <summary>
/// A stand-in for the Api: a separate app that knows Identity only by its issuer, configured as the Api is
/// meant to be (issuer, audience, lifetime, RS256 only, at+jwt, no inbound claim mapping). Its metadata and
/// JWKS come from the Identity test server.
/// </summary>
public sealed class ResourceServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ResourceServer(WebApplication app) => _app = app;

    public HttpClient Client { get; private set; } = null!;

    public static async Task<ResourceServer> StartAsync(IdentityServerFactory identity, string audience = "securestack-api")
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(options =>
        {
            options.Authority = IdentityServerFactory.Issuer;
            options.Audience = audience;
            // The test server speaks http://localhost only; the real Api keeps HTTPS metadata on.
            options.RequireHttpsMetadata = false;
            options.BackchannelHttpHandler = identity.Server.CreateHandler();
            options.MapInboundClaims = false;
            options.TokenValidationParameters.ValidIssuer = IdentityServerFactory.Issuer;
            options.TokenValidationParameters.ValidAlgorithms = [SecurityAlgorithms.RsaSha256];
            options.TokenValidationParameters.ValidTypes = ["at+jwt"];
            options.TokenValidationParameters.ClockSkew = TimeSpan.FromSeconds(30);
            options.TokenValidationParameters.RoleClaimType = "role";
            options.TokenValidationParameters.NameClaimType = "sub";
        });
        builder.Services.AddAuthorization();

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/whoami", (HttpContext context) => new
        {
            sub = context.User.FindFirst("sub")?.Value,
            clientId = context.User.FindFirst("client_id")?.Value,
            scope = context.User.FindFirst("scope")?.Value,
            isService = context.User.IsInRole("service"),
        }).RequireAuthorization();

        await app.StartAsync(TestContext.Current.CancellationToken);
        return new ResourceServer(app) { Client = app.GetTestClient() };
    }

    /// <summary>
    /// A resource server validating tokens exactly as the Gateway and the Api do (ServiceDefaults'
    /// <c>AddSecureStackJwtBearer</c>), including the revocation deny-list it replicates from <paramref name="redisConnectionString"/>.
    /// </summary>
    public static async Task<ResourceServer> StartWithDenyListAsync(IdentityServerFactory identity, string redisConnectionString)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Development });
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"ConnectionStrings:{RedisExtensions.ConnectionName}"] = redisConnectionString,
            ["Authentication:Jwt:Authority"] = IdentityServerFactory.Issuer,
            ["Authentication:Jwt:Issuer"] = IdentityServerFactory.Issuer,
            // The test server speaks http://localhost only.
            ["Authentication:Jwt:RequireHttpsMetadata"] = "false",
        });
        builder.AddSecureStackJwtBearer();
        builder.Services.AddHttpClient(SecureStackJwtBearerExtensions.MetadataHttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => identity.Server.CreateHandler());
        builder.Services.AddProblemDetails();
        builder.Services.AddAuthorization();

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/whoami", (HttpContext context) => context.User.FindFirst("sub")?.Value ?? context.User.FindFirst("client_id")?.Value)
            .RequireAuthorization();

        await app.StartAsync(TestContext.Current.CancellationToken);
        return new ResourceServer(app) { Client = app.GetTestClient() };
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
