using System.Net;
using System.Net.Http.Json;

namespace SecureStack.Security.Tests.Abuse;

/// <summary>
/// Open registration, spent from one address. Attacker: anonymous, scripting sign-ups (accounts to abuse later,
/// database rows, user names taken from their owners). Target: the account store. Property: one address creates
/// at most five accounts an hour at the Gateway; another address is not affected.
/// </summary>
[Collection(AbuseCollection.Name)]
public sealed class RegistrationLimitAbuseTests(AbuseFixture fixture)
{
    private const int RegistrationsPerAddressAndHour = 5;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OneAddressRegistersAtMostFiveAccountsAnHour()
    {
        using var scripted = fixture.CreateGatewayClientFrom(fixture.NewClientAddress());
        using var neighbour = fixture.CreateGatewayClientFrom(fixture.NewClientAddress());

        // In parallel, as a script would: the count holds under concurrency.
        var statuses = await Task.WhenAll(Enumerable.Range(0, RegistrationsPerAddressAndHour + 3).Select(i => RegisterAsync(scripted, $"scripted-{i}")));
        var elsewhere = await RegisterAsync(neighbour, "neighbour");

        Assert.Equal(RegistrationsPerAddressAndHour, statuses.Count(status => status == HttpStatusCode.Accepted));
        Assert.Equal(3, statuses.Count(status => status == HttpStatusCode.TooManyRequests));
        Assert.Equal(HttpStatusCode.Accepted, elsewhere);
    }

    private async Task<HttpStatusCode> RegisterAsync(HttpClient client, string name)
    {
        using var response = await client.PostAsJsonAsync("/account/register", new
        {
            email = $"{name}-{fixture.RunId}@example.test",
            password = "Pw-" + Guid.NewGuid().ToString("N"),
        }, Cancellation);
        return response.StatusCode;
    }
}
