using System.Net;
using System.Net.Http.Json;

namespace SecureStack.Security.Tests.Abuse;

/// <summary>
/// Self-registration, attacked through the Gateway. Attacker: anonymous, knows (or guesses) someone's address.
/// Targets: the fact that an account exists (enumeration) and the existing account itself (take-over by
/// re-registering, a race between registrations). The switch that closes registration (on by default only in
/// Development) and what remains open (register-then-login) are in docs/threat-model.md.
/// </summary>
[Collection(AbuseCollection.Name)]
public sealed class RegistrationAbuseTests(AbuseFixture fixture)
{
    // Each losing password is a failed login against the account: stay under the lockout threshold (5).
    private const int Threshold = 5;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RegisteringSomeoneElsesAddressNeitherRevealsNorTouchesTheirAccount()
    {
        var (email, password) = await fixture.RegisterUserAsync("owner");
        using var attacker = fixture.CreateGatewayClientFrom(fixture.NewClientAddress());
        const string attackersPassword = "the attacker's own long passphrase";

        using var taken = await attacker.PostAsJsonAsync("/account/register", new { email, password = attackersPassword }, Cancellation);
        using var fresh = await attacker.PostAsJsonAsync("/account/register", new { email = $"fresh-{Guid.NewGuid():N}@example.test", password = attackersPassword }, Cancellation);

        Assert.Equal(HttpStatusCode.Accepted, taken.StatusCode);
        Assert.Equal(fresh.StatusCode, taken.StatusCode);
        Assert.Equal(await fresh.Content.ReadAsStringAsync(Cancellation), await taken.Content.ReadAsStringAsync(Cancellation));
        Assert.False(await LoginPage.SignsInAsync(fixture, email, attackersPassword), "the attacker's password opened the owner's account");
        Assert.True(await LoginPage.SignsInAsync(fixture, email, password), "re-registering the address changed the owner's account");
    }

    [Fact]
    public async Task ConcurrentRegistrationsOfOneAddressCreateOneAccountAndGiveEveryoneTheSameAnswer()
    {
        var email = $"race-{Guid.NewGuid():N}@example.test";
        using var attacker = fixture.CreateGatewayClientFrom(fixture.NewClientAddress());
        var passwords = Enumerable.Range(0, Threshold - 1).Select(n => $"racing passphrase number {n}").ToList();

        var answers = await Task.WhenAll(passwords.Select(async password =>
        {
            using var response = await attacker.PostAsJsonAsync("/account/register", new { email, password }, Cancellation);
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync(Cancellation));
        }));

        Assert.All(answers, answer => Assert.Equal(answers[0], answer));
        Assert.Equal(HttpStatusCode.Accepted, answers[0].StatusCode);
        var signsIn = new List<string>();
        foreach (var password in passwords)
        {
            if (await LoginPage.SignsInAsync(fixture, email, password))
            {
                signsIn.Add(password);
            }
        }

        Assert.Single(signsIn);
    }
}
