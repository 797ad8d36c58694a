using System.Net;
using Microsoft.AspNetCore.Http.Features;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace SecureStack.ServiceDefaults.Tests.Baseline;

public sealed class ErrorsAndLimitsTests
{
    private static readonly Dictionary<string, string?> SmallBodies = new() { ["RequestLimits:MaxRequestBodyBytes"] = "2048" };

    [Fact]
    public async Task AnUnhandledExceptionBecomesProblemDetailsWithoutInternalsInProduction()
    {
        await using var app = await BaselineApp.StartAsync(Environments.Production);
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/throw", TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal(500, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Equal(32, problem.RootElement.GetProperty("traceId").GetString()?.Length);
        foreach (var leak in new[] { "secret internal detail", "InvalidOperationException", "   at ", "Microsoft.AspNetCore", "Kestrel", ".NET" })
        {
            Assert.DoesNotContain(leak, body, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Theory]
    [InlineData("TRACE")]
    [InlineData("TRACK")]
    [InlineData("PROPFIND")]
    [InlineData("FOO")]
    public async Task MethodsOutsideTheRestSetAre405(string method)
    {
        await using var app = await BaselineApp.StartAsync(Environments.Production);
        using var client = app.CreateClient();

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), "/ok"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Contains("GET", response.Content.Headers.Allow);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ABodyOverTheLimitIs413()
    {
        await using var app = await BaselineApp.StartAsync(Environments.Production, SmallBodies);
        using var client = app.CreateClient();
        var json = JsonSerializer.Serialize(new { title = new string('x', 4096) });

        using var response = await client.PostAsync("/notes", new StringContent(json, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task AChunkedBodyOverTheLimitIs413Too()
    {
        await using var app = await BaselineApp.StartAsync(Environments.Production, SmallBodies);
        using var client = app.CreateClient();
        // No Content-Length: the server can only find out by counting while it reads.
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes($"{{\"title\":\"{new string('x', 4096)}\"}}")));
        content.Headers.ContentType = new("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, "/notes") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task HeadersOverTheLimitAre431()
    {
        await using var app = await BaselineApp.StartAsync(Environments.Production);
        using var client = app.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Get, "/ok");
        request.Headers.Add("X-Padding", new string('a', 20 * 1024));

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task KestrelsOwnRejectionsHaveNoBodyAndNoServerBanner()
    {
        // Kestrel answers a request it cannot parse (400, 414, 431) before any middleware runs, and has no hook to
        // add headers to that answer: it cannot carry the security headers (docs/security-controls.md). What keeps it
        // harmless is asserted here: an empty body (nothing to render, sniff or frame), no banner, the connection closed.
        await using var app = await BaselineApp.StartAsync(Environments.Production);
        using var client = app.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Get, "/ok");
        request.Headers.Add("X-Padding", new string('a', 20 * 1024));

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.False(response.Headers.Contains("Server"));
        Assert.True(response.Headers.ConnectionClose);
    }

    [Fact]
    public async Task AnUnsupportedContentTypeIs415()
    {
        await using var app = await BaselineApp.StartAsync(Environments.Production);
        using var client = app.CreateClient();

        using var response = await client.PostAsync("/notes", new StringContent("title=x", Encoding.UTF8, "application/x-www-form-urlencoded"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task AnUnknownJsonMemberIsRejectedAsBadRequest()
    {
        await using var app = await BaselineApp.StartAsync(Environments.Production);
        using var client = app.CreateClient();

        // Mass assignment: a client trying to set a property the endpoint never offered.
        using var response = await client.PostAsJsonAsync("/notes", new { title = "t", ownerId = "someone-else" }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task KnownJsonMembersAreAccepted()
    {
        await using var app = await BaselineApp.StartAsync(Environments.Production);
        using var client = app.CreateClient();

        using var response = await client.PostAsJsonAsync("/notes", new { title = "t", body = "b" }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task JsonNestedDeeperThanTheLimitIsRejected()
    {
        await using var app = await BaselineApp.StartAsync(Environments.Production);
        using var client = app.CreateClient();
        var deep = new string('[', 40) + new string(']', 40);

        using var response = await client.PostAsync("/json", new StringContent(deep, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        using var shallow = await client.PostAsync("/json", new StringContent("[[[]]]", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, shallow.StatusCode);
    }

    [Fact]
    public async Task PlainHttpIsRedirectedToHttpsOutsideDevelopment()
    {
        await using var app = await BaselineApp.StartAsync(Environments.Production, new Dictionary<string, string?>
        {
            ["urls"] = "https://127.0.0.1:0;http://127.0.0.1:0",
            ["https_port"] = "8443",
        });
        var http = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.GetRequiredFeature<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()
            .Addresses.Single(address => address.StartsWith("http://", StringComparison.Ordinal));
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });

        using var response = await client.GetAsync($"{http}/ok", TestContext.Current.CancellationToken);
        using var probe = await client.GetAsync($"{http}/alive", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
        Assert.Equal("https", response.Headers.Location?.Scheme);
        Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
    }
}
