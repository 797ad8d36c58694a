using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace SecureStack.Security.Tests.Owasp;

/// <summary>API4:2023 Unrestricted Resource Consumption: rates, body sizes, header sizes, page sizes.</summary>
[Collection(SecurityCollection.Name)]
public sealed class Api04ResourceConsumptionTests(SecurityFixture fixture)
{
    private const int PerUserLimit = 600;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task API4_OneCallerIsHeldToItsRateLimitWith429AndRetryAfter()
    {
        // A caller of its own (a correctly signed token for a fresh subject), so no other test's budget is spent.
        var token = await fixture.TrustedTokenForAsync($"flood-{Guid.NewGuid():N}");
        using var gateway = fixture.CreateGatewayClient(token);
        var statuses = new List<HttpStatusCode>();
        TimeSpan? retryAfter = null;

        for (var batch = 0; batch < (PerUserLimit + 40) / 20; batch++)
        {
            var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => gateway.GetAsync("/api/v1/notes?limit=1", Cancellation)));
            foreach (var response in responses)
            {
                statuses.Add(response.StatusCode);
                retryAfter ??= response.StatusCode == HttpStatusCode.TooManyRequests ? response.Headers.RetryAfter?.Delta : null;
                response.Dispose();
            }
        }

        Assert.InRange(statuses.Count(status => status == HttpStatusCode.OK), 1, PerUserLimit);
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.DoesNotContain(statuses, status => status is not (HttpStatusCode.OK or HttpStatusCode.TooManyRequests));
        Assert.True(retryAfter > TimeSpan.Zero, "429 without a Retry-After");
    }

    [Fact]
    public async Task API4_ABodyOverOneMebibyteIsRefusedWith413()
    {
        using var gateway = fixture.CreateGatewayClient(await fixture.ServiceTokenAsync());
        var json = $"{{\"title\":\"big\",\"body\":\"{new string('a', 2 * 1024 * 1024)}\"}}";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/notes")
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        // Wait for the Gateway's verdict on the declared length before sending: otherwise its 413-and-close can
        // race the upload and surface as a broken pipe instead of the status under test.
        request.Headers.ExpectContinue = true;

        using var response = await gateway.SendAsync(request, Cancellation);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task API4_HeadersOverTheLimitAreRefusedWith431()
    {
        using var gateway = fixture.CreateGatewayClient(await fixture.ServiceTokenAsync());
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/notes");
        request.Headers.Add("X-Padding", new string('a', 24 * 1024));

        using var response = await gateway.SendAsync(request, Cancellation);

        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
    }

    [Theory]
    [InlineData(101)]
    [InlineData(100000)]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task API4_APageSizeOutsideOneToOneHundredIsRefused(int limit)
    {
        using var gateway = fixture.CreateGatewayClient(await fixture.ServiceTokenAsync());

        using var response = await gateway.GetAsync($"/api/v1/notes?limit={limit}", Cancellation);
        using var largest = await gateway.GetAsync("/api/v1/notes?limit=100", Cancellation);

        await SecurityBaseline.AssertSafeProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.OK, largest.StatusCode);
    }

    [Fact]
    public async Task API4_AnUnsupportedMediaTypeIsNotParsed()
    {
        using var gateway = fixture.CreateGatewayClient(await fixture.ServiceTokenAsync());
        using var content = new StringContent("<note><title>x</title></note>");
        content.Headers.ContentType = new MediaTypeHeaderValue("application/xml");

        using var response = await gateway.PostAsync("/api/v1/notes", content, Cancellation);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }
}
