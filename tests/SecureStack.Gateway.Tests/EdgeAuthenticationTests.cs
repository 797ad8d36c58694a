using System.Net;
using System.Net.Http.Json;
using SecureStack.Testing;

namespace SecureStack.Gateway.Tests;

/// <summary>
/// <c>/api/**</c> needs a valid access token at the edge; Identity's public endpoints do not. Tokens are real,
/// signed by <see cref="TestIssuer"/> and validated against its JWKS like Identity's.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class EdgeAuthenticationTests(RedisContainerFixture redis)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public static readonly TheoryData<string> BadTokens = new() { "none", "expired", "wrong-audience", "wrong-issuer", "id-token", "unsigned", "garbage" };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task ApiRequestsWithoutAValidTokenAre401AtTheEdgeAndNeverForwarded(string kind)
    {
        await using var stack = await GatewayTestContext.StartAsync(redis.ConnectionString);
        var token = kind switch
        {
            "none" => null,
            "expired" => stack.Issuer.CreateToken(new TokenSpec { ExpiresIn = TimeSpan.FromMinutes(-5) }),
            "wrong-audience" => stack.Issuer.CreateToken(new TokenSpec { Audience = "someone-else" }),
            "wrong-issuer" => stack.Issuer.CreateToken(new TokenSpec { Issuer = "https://evil.example" }),
            "id-token" => stack.Issuer.CreateToken(new TokenSpec { TokenType = "JWT" }),
            "unsigned" => stack.Issuer.CreateUnsignedToken(),
            _ => "not.a.token",
        };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/notes");
        if (token is not null)
        {
            request.Headers.Authorization = new("Bearer", token);
        }

        using var response = await stack.Client.SendAsync(request, Cancellation);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.True(response.IsProblemJson());
        Assert.Equal("nosniff", response.Header("X-Content-Type-Options"));
        Assert.Equal(0, stack.Backend.Requests);
    }

    [Fact]
    public async Task AValidTokenIsForwardedForTheApiToCheckAgain()
    {
        await using var stack = await GatewayTestContext.StartAsync(redis.ConnectionString);
        var (name, value) = stack.User("alice");

        using var response = await stack.Client.SendAsync(ResponseAssertions.Get("/api/v1/notes", (name, value)), Cancellation);
        var echo = await response.Content.ReadFromJsonAsync<Echo>(Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // Defense in depth: the Api validates the same token itself, with its own scope and owner rules.
        Assert.Equal(value, echo?.Headers["Authorization"]);
    }

    [Theory]
    [InlineData("/.well-known/openid-configuration")]
    [InlineData("/connect/authorize")]
    [InlineData("/account/login")]
    [InlineData("/api/v1/ping")]
    public async Task PublicEndpointsNeedNoToken(string path)
    {
        await using var stack = await GatewayTestContext.StartAsync(redis.ConnectionString);

        using var response = await stack.Client.GetAsync(path, Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, stack.Backend.Requests);
    }
}
