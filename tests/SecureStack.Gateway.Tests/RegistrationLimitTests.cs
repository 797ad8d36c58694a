using System.Net;
using System.Net.Http.Json;
using SecureStack.Testing;

namespace SecureStack.Gateway.Tests;

/// <summary>
/// Open registration is a resource an anonymous caller can spend (accounts, database rows, user names taken):
/// the Gateway allows a few per address and hour, separately from the rest of <c>/account</c>.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RegistrationLimitTests(RedisContainerFixture redis)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RegistrationIsLimitedPerAddressAndHour()
    {
        await using var stack = await GatewayTestContext.StartAsync(redis.ConnectionString);
        var registrar = stack.ClientFrom(GatewayTestContext.NewClientAddress());
        var neighbour = stack.ClientFrom(GatewayTestContext.NewClientAddress());

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            using var response = await registrar.PostAsJsonAsync("/account/register", new { email = $"user-{i}@example.test", password = "a long and unusual passphrase 7" }, Cancellation);
            statuses.Add(response.StatusCode);
        }

        using var limited = await registrar.PostAsJsonAsync("/account/register", new { email = "one-more@example.test", password = "x" }, Cancellation);
        using var login = await registrar.GetAsync("/account/login", Cancellation);
        using var elsewhere = await neighbour.PostAsJsonAsync("/account/register", new { email = "neighbour@example.test", password = "y" }, Cancellation);

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.OK, 5), HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("\"register\";q=5;w=3600", limited.Header("RateLimit-Policy"));
        var retryAfter = int.Parse(limited.Header("Retry-After")!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 3000, 3600);
        // The rest of /account (the login page) is not spent by registering, and another address has its own five.
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Equal(HttpStatusCode.OK, elsewhere.StatusCode);
    }
}
