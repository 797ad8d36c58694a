using System.Net;
using System.Text.Json;

namespace SecureStack.Security.Tests.Abuse;

/// <summary>
/// Lockout, attacked through the Gateway. Attacker: anonymous, knows the victim's address. Targets: the password
/// budget (guess more than the lockout allows by sending the guesses at once, F3) and the victim's sessions (lock
/// the account to sign its owner out, F7). The attacker and the victim come from different client addresses, so
/// what is measured is Identity's lockout, not a Gateway budget.
/// </summary>
[Collection(AbuseCollection.Name)]
public sealed class LockoutAbuseTests(AbuseFixture fixture)
{
    private const int Threshold = 5;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ABurstOfWrongPasswordsOverOneHttp2ConnectionIsCountedInFullAndHidesNoRightOne()
    {
        for (var round = 0; round < 3; round++)
        {
            var (email, password) = await fixture.RegisterUserAsync($"burst{round}");
            using var attacker = Http2(fixture.CreateGatewayClientFrom(fixture.NewClientAddress()));
            var token = await LoginPage.AntiforgeryTokenAsync(attacker);

            var burst = Enumerable.Range(0, 29).Select(guess => LoginPage.PostAsync(attacker, token, email, $"wrong-{guess}")).ToList();
            burst.Add(LoginPage.PostAsync(attacker, token, email, password));
            var answers = await Task.WhenAll(burst);

            Assert.All(answers, answer => Assert.Equal(HttpVersion.Version20, answer.Version));
            Assert.All(answers[..^1], answer => Assert.Equal(HttpStatusCode.Unauthorized, answer.Status));
            // Through the Gateway the multiplexed requests reach Identity in any order: the right password may be
            // settled before the other guesses take the budget, and then it signs in legitimately (the
            // inside-the-burst refusal is LockoutTests', on one Identity). What must hold whatever the order: the
            // 29 guesses are all counted, so the account is locked and the right password after them is refused
            // (asked from a fresh client: if the right password did sign the attacker's client in, that client's
            // antiforgery token belongs to the anonymous caller it was, and any further post of it is a 400).
            Assert.False(await LoginPage.SignsInAsync(fixture, email, password), $"round {round}: the burst did not lock the account: the right password after it signed in");
        }
    }

    [Fact]
    public async Task ABurstOfPasswordGrantsIsCountedInFullAndLocksTheAccountAgainstTheRightOne()
    {
        // The Gateway allows a user name only a few token requests a minute, too few to bury the right password
        // deep inside a burst (the login page test does that); here the burst must be counted in full.
        var (email, password) = await fixture.RegisterUserAsync("grantburst");
        using var attacker = Http2(fixture.CreateGatewayClientFrom(fixture.NewClientAddress()));

        var answers = await Task.WhenAll(Enumerable.Range(0, Threshold + 1).Select(guess => GrantAsync(attacker, email, $"wrong-{guess}")));
        var right = await GrantAsync(attacker, email, password);

        // Premise: the Gateway let the guesses through to Identity (its own per-user budget is another test's).
        Assert.True(answers.All(status => status == HttpStatusCode.BadRequest), string.Join(", ", answers));
        Assert.Equal(HttpStatusCode.BadRequest, right);
        Assert.False(await LoginPage.SignsInAsync(fixture, email, password), "the burst did not lock the account");
    }

    [Fact]
    public async Task FailedLoginsByAnAnonymousCallerDoNotEndTheVictimsSessions()
    {
        var (email, password) = await fixture.RegisterUserAsync("victim");
        var victimAddress = fixture.NewClientAddress();
        using var victim = fixture.CreateGatewayClientFrom(victimAddress);
        var tokens = await TokenAsync(victim, SecurityFixture.PasswordGrant(email, password, "openid offline_access api.read"));

        using var attacker = fixture.CreateGatewayClientFrom(fixture.NewClientAddress());
        var token = await LoginPage.AntiforgeryTokenAsync(attacker);
        for (var guess = 0; guess < Threshold; guess++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await LoginPage.PostAsync(attacker, token, email, $"wrong-{guess}")).Status);
        }

        Assert.False(await LoginPage.SignsInAsync(fixture, email, password), "the attacker's guesses did not lock the account");
        var refreshed = await TokenAsync(victim, new()
        {
            ["grant_type"] = "refresh_token",
            ["client_id"] = SecurityFixture.DemoClient,
            ["refresh_token"] = tokens.GetProperty("refresh_token").GetString()!,
        });
        using var api = fixture.CreateGatewayClientFrom(victimAddress, SecurityFixture.AccessToken(refreshed));
        using var ping = await api.GetAsync("/api/v1/ping", Cancellation);
        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
    }

    private static async Task<JsonElement> TokenAsync(HttpClient client, Dictionary<string, string> form)
    {
        using var response = await client.PostAsync("/connect/token", new FormUrlEncodedContent(form), Cancellation);
        var body = await response.Content.ReadAsStringAsync(Cancellation);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{form["grant_type"]} answered {response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static async Task<HttpStatusCode> GrantAsync(HttpClient client, string email, string password)
    {
        using var response = await client.PostAsync("/connect/token", new FormUrlEncodedContent(SecurityFixture.PasswordGrant(email, password, "api.read")), Cancellation);
        return response.StatusCode;
    }

    /// <summary>Every request on one multiplexed HTTP/2 connection, as the finding's attacker sent them.</summary>
    private static HttpClient Http2(HttpClient client)
    {
        client.DefaultRequestVersion = HttpVersion.Version20;
        client.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        return client;
    }
}
