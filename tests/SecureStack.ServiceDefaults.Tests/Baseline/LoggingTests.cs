using System.Diagnostics;
using System.IdentityModel.Tokens.Jwt;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SecureStack.ServiceDefaults.Security;

namespace SecureStack.ServiceDefaults.Tests.Baseline;

public sealed class LoggingTests
{
    private const string Password = "correct horse battery staple 42";
    private const string ClientSecret = "client-secret-7f3a9c";
    private const string Cookie = "session=cookie-value-5be1";

    [Fact]
    public async Task AnAuthenticatedRequestLeavesNoTokenCookieOrPasswordInLogsOrTraces()
    {
        using var key = RSA.Create(2048);
        var signingKey = new RsaSecurityKey(key) { KeyId = "test-key" };
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "https://issuer.test",
            Audience = "securestack-api",
            Subject = new ClaimsIdentity([new Claim("sub", "user-123"), new Claim("client_id", "web")]),
            Expires = DateTime.UtcNow.AddMinutes(5),
            SigningCredentials = new SigningCredentials(signingKey, SecurityAlgorithms.RsaSha256),
        });
        var activityTags = new List<string>();
        using var listener = CaptureActivities(activityTags);

        await using var app = await BaselineApp.StartAsync(Environments.Production, configure: builder =>
        {
            builder.Services.AddAuthentication().AddJwtBearer(options =>
            {
                options.MapInboundClaims = false;
                options.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = "https://issuer.test",
                    ValidAudience = "securestack-api",
                    IssuerSigningKey = signingKey,
                };
            });
            builder.Services.AddAuthorization();
        }, map: web => web.MapPost("/login", (LoginInput input, HttpContext context) =>
            TypedResults.Ok(context.User.FindFirst("sub")?.Value)).RequireAuthorization());
        using var client = app.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Post, "/login?client_secret=" + ClientSecret)
        {
            Content = JsonContent.Create(new { userName = "alice", password = Password }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue(JwtBearerDefaults.AuthenticationScheme, token);
        request.Headers.Add("Cookie", Cookie);

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        await WaitForAccessLogAsync(app.Logs);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var logged = app.Logs.GetSnapshot().Select(Render).ToList();
        var accessLine = Assert.Single(logged, line => line.Contains("Route=/login", StringComparison.Ordinal));
        Assert.Contains("Subject=user-123", accessLine);
        Assert.Contains("ClientId=web", accessLine);
        Assert.Contains("StatusCode=200", accessLine);
        foreach (var secret in new[] { token, token.Split('.')[2], Password, ClientSecret, "cookie-value-5be1" })
        {
            Assert.False(logged.Any(line => line.Contains(secret, StringComparison.Ordinal)), $"log contains {secret[..6]}…: {logged.FirstOrDefault(line => line.Contains(secret, StringComparison.Ordinal))}");
            Assert.False(activityTags.Any(tag => tag.Contains(secret, StringComparison.Ordinal)), $"trace contains {secret[..6]}…: {activityTags.FirstOrDefault(tag => tag.Contains(secret, StringComparison.Ordinal))}");
        }
    }

    [Fact]
    public async Task QueryStringValuesAreRedactedInTracesEvenWhenTheOrchestratorTurnsRedactionOff()
    {
        // Aspire sets both switches to true for every project it runs: a token in a query string (a userinfo call
        // with ?access_token=) would otherwise be written to url.query and url.full and exported to the dashboard.
        const string Secret = "query-secret-9d41e7";
        var activityTags = new List<string>();
        using var listener = CaptureActivities(activityTags);
        await using var app = await BaselineApp.StartAsync(Environments.Development, new Dictionary<string, string?>
        {
            ["OTEL_DOTNET_EXPERIMENTAL_ASPNETCORE_DISABLE_URL_QUERY_REDACTION"] = "true",
            ["OTEL_DOTNET_EXPERIMENTAL_HTTPCLIENT_DISABLE_URL_QUERY_REDACTION"] = "true",
        }, map: web => web.MapGet("/relay", async (HttpContext context, IHttpClientFactory clients) =>
        {
            using var relay = clients.CreateClient();
            var self = $"{context.Request.Scheme}://{context.Request.Host}";
            return TypedResults.Ok(await relay.GetStringAsync($"{self}/ok?access_token={Secret}&kind=relay", context.RequestAborted));
        }).AllowAnonymous());
        using var client = app.CreateClient();

        using var response = await client.GetAsync($"/relay?access_token={Secret}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // The server span ends just after the client has its response.
        var snapshot = await WaitForTagsAsync(activityTags, tags => tags.Count(tag => tag.StartsWith("url.query=", StringComparison.Ordinal)) >= 2);

        Assert.Contains(snapshot, tag => tag.StartsWith("url.query=", StringComparison.Ordinal));
        Assert.Contains(snapshot, tag => tag.StartsWith("url.full=", StringComparison.Ordinal) && tag.Contains("/ok?", StringComparison.Ordinal));
        Assert.False(snapshot.Any(tag => tag.Contains(Secret, StringComparison.Ordinal)), $"trace contains the secret: {snapshot.FirstOrDefault(tag => tag.Contains(Secret, StringComparison.Ordinal))}");
    }

    [Fact]
    public async Task AClientCannotForgeALogLineThroughThePath()
    {
        await using var app = await BaselineApp.StartAsync(Environments.Production);
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/ok%0D%0AFORGED:%20admin%20login%20ok", TestContext.Current.CancellationToken);
        await WaitForAccessLogAsync(app.Logs);

        var logged = app.Logs.GetSnapshot().Select(Render).ToList();
        // Whatever a log sink does with line breaks, no line may begin with the client's text.
        Assert.DoesNotContain(logged.SelectMany(entry => entry.Split('\n', '\r')), line => line.TrimStart().StartsWith("FORGED", StringComparison.Ordinal));
        Assert.Contains(logged, line => line.Contains(@"\u000d\u000aFORGED", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HealthProbesAreNotInTheAccessLog()
    {
        await using var app = await BaselineApp.StartAsync(Environments.Production);
        using var client = app.CreateClient();

        using var probe = await client.GetAsync("/alive", TestContext.Current.CancellationToken);
        using var request = await client.GetAsync("/ok", TestContext.Current.CancellationToken);
        await WaitForAccessLogAsync(app.Logs);

        var lines = app.Logs.GetSnapshot().Where(IsAccessLog).Select(Render).ToList();
        Assert.DoesNotContain(lines, line => line.Contains("/alive", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.Contains("Path=/ok", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ASecurityEventHasAFixedIdAndIsCounted()
    {
        await using var app = await BaselineApp.StartAsync(Environments.Production);
        var events = app.Services.GetRequiredService<SecurityEvents>();
        using var counter = new MetricCollector<long>(
            app.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), SecurityEvents.MeterName, "securestack.security.events");

        events.LoginFailed("mallory\nFAKE: admin logged in", "invalid credentials");

        var record = Assert.Single(app.Logs.GetSnapshot(), record => record.Id == SecurityEvents.Ids.LoginFailed);
        Assert.Equal(4008, record.Id.Id);
        Assert.Equal(SecurityEvents.Category, record.Category);
        Assert.DoesNotContain('\n', record.Message);
        var measurement = Assert.Single(counter.GetMeasurementSnapshot());
        Assert.Equal("LoginFailed", measurement.Tags["event"]);
    }

    [Theory]
    [InlineData(null, "127.0.0.1")]
    [InlineData("127.0.0.1", "203.0.113.9")]
    public async Task EverySecurityEventCarriesTheClientAddressAsAFieldNotTheSpoofableHeader(string? trustedProxy, string expected)
    {
        // Hardening (issue 14): an event without the address cannot be correlated with an attack. The address is
        // the connection's, or a trusted proxy's X-Forwarded-For: from anyone else the header is the attacker's text.
        var settings = trustedProxy is null ? [] : new Dictionary<string, string?> { ["ForwardedHeaders:KnownProxies:0"] = trustedProxy };
        await using var app = await BaselineApp.StartAsync(Environments.Production, settings, map: web => web.MapPost("/failed-login", (SecurityEvents events) =>
        {
            events.LoginFailed("mallory", "invalid credentials");
            events.AuthorizationDenied("subject", "client", "/failed-login");
            return TypedResults.NoContent();
        }).AllowAnonymous());
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/failed-login");
        request.Headers.Add("X-Forwarded-For", "203.0.113.9");

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var events = app.Logs.GetSnapshot().Where(record => record.Category == SecurityEvents.Category && record.Id.Id is 4002 or 4008).ToList();
        Assert.Equal(2, events.Count);
        Assert.All(events, record => Assert.Equal(expected, record.GetStructuredStateValue("ClientAddress")));
        // The event's own fields and message are untouched.
        var login = Assert.Single(events, record => record.Id == SecurityEvents.Ids.LoginFailed);
        Assert.Equal("mallory", login.GetStructuredStateValue("UserName"));
        Assert.Equal("Login failed for user name mallory: invalid credentials", login.Message);
    }

    [Fact]
    public async Task ASecurityEventOutsideARequestHasNoClientAddress()
    {
        await using var app = await BaselineApp.StartAsync(Environments.Production);

        app.Services.GetRequiredService<SecurityEvents>().InsecureConfiguration("a finding");

        var record = Assert.Single(app.Logs.GetSnapshot(), record => record.Id == SecurityEvents.Ids.InsecureConfiguration);
        Assert.Equal("-", record.GetStructuredStateValue("ClientAddress"));
        Assert.Equal("a finding", record.GetStructuredStateValue("Finding"));
    }

    private static async Task WaitForAccessLogAsync(FakeLogCollector logs)
    {
        // The combined access-log line is written as the response completes, just after the client sees it.
        for (var attempt = 0; attempt < 50 && !logs.GetSnapshot().Any(IsAccessLog); attempt++)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    private static bool IsAccessLog(FakeLogRecord record) => record.Category?.EndsWith("HttpLoggingMiddleware", StringComparison.Ordinal) == true;

    private static string Render(FakeLogRecord record) =>
        (record.Message ?? string.Empty) + " " + string.Join(" ", record.StructuredState?.Select(pair => $"{pair.Key}={pair.Value}") ?? []);

    private static async Task<List<string>> WaitForTagsAsync(List<string> tags, Func<List<string>, bool> complete)
    {
        for (var attempt = 0; ; attempt++)
        {
            List<string> snapshot;
            lock (tags)
            {
                snapshot = [.. tags];
            }

            if (complete(snapshot) || attempt == 100)
            {
                return snapshot;
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    private static ActivityListener CaptureActivities(List<string> tags)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (tags)
                {
                    tags.Add(activity.DisplayName);
                    tags.AddRange(activity.TagObjects.Select(tag => $"{tag.Key}={tag.Value}"));
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    private sealed record LoginInput(string UserName, string Password);
}
