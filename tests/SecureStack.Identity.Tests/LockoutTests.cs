using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using SecureStack.Identity.Data;
using SecureStack.Identity.Tests.Infrastructure;

namespace SecureStack.Identity.Tests;

/// <summary>
/// Lockout under an adversary: concurrent guessing (F3) and lockout turned against the account's owner (F7). Runs
/// again on PostgreSQL (<c>LockoutTestsOnPostgres</c>), where requests really do interleave inside the database.
/// </summary>
public class LockoutTests(IdentityServerFactory factory)
{
    public const string Password = "a long and unusual passphrase 7";
    private const int Threshold = 5;
    private const int Rounds = 3;

    public static TheoryData<string, int> Bursts => new()
    {
        { PasswordChannel.LoginPage, Threshold - 1 },
        { PasswordChannel.LoginPage, 40 },
        { PasswordChannel.PasswordGrant, Threshold - 1 },
        { PasswordChannel.PasswordGrant, 40 },
    };

    [Theory]
    [MemberData(nameof(Bursts))]
    public async Task ABurstOfWrongPasswordsIsCountedInFullAndOnlyTheAllowedNumberIsChecked(string channel, int guesses)
    {
        for (var round = 0; round < Rounds; round++)
        {
            var userName = await OAuth.RegisterAsync(factory.CreateClient(), Password);
            var attacker = await PasswordChannel.OpenAsync(factory, channel);

            var answers = await Task.WhenAll(Enumerable.Range(0, guesses).Select(guess => attacker.SignInAsync(userName, $"wrong guess {guess} of {guesses}")));

            var (count, lockedOut) = await LockoutStateAsync(userName);
            Assert.DoesNotContain(true, answers);
            Assert.True(count == Math.Min(guesses, Threshold), $"round {round}: {guesses} concurrent wrong guesses left AccessFailedCount = {count}");
            Assert.True(CheckedGuesses(userName) == Math.Min(guesses, Threshold), $"round {round}: {CheckedGuesses(userName)} of {guesses} concurrent guesses had their password checked");
            Assert.Equal(guesses >= Threshold, lockedOut);
            Assert.Equal(guesses < Threshold, await attacker.SignInAsync(userName, Password));
        }
    }

    [Theory]
    [InlineData(PasswordChannel.LoginPage)]
    [InlineData(PasswordChannel.PasswordGrant)]
    public async Task TheRightPasswordInsideABurstIsRefusedOnceTheThresholdIsCrossed(string channel)
    {
        for (var round = 0; round < Rounds; round++)
        {
            var userName = await OAuth.RegisterAsync(factory.CreateClient(), Password);
            var attacker = await PasswordChannel.OpenAsync(factory, channel);

            var burst = Enumerable.Range(0, 29).Select(guess => attacker.SignInAsync(userName, $"wrong guess {guess}")).ToList();
            burst.Add(attacker.SignInAsync(userName, Password));
            var answers = await Task.WhenAll(burst);

            Assert.False(answers[^1], $"round {round}: the right password, sent with 29 wrong ones, signed in");
            Assert.Equal((Threshold, true), await LockoutStateAsync(userName));
        }
    }

    [Fact]
    public async Task FailedLoginsByAnAnonymousCallerDoNotEndTheVictimsSessions()
    {
        var victim = factory.CreateBrowser();
        var userName = await OAuth.RegisterAsync(victim, Password);
        var (code, verifier) = await AuthorizationCodeFlow.GetCodeAsync(victim, userName, Password);
        var tokens = await AuthorizationCodeFlow.ExchangeAsync(factory.CreateClient(), code, verifier);

        var attacker = await PasswordChannel.OpenAsync(factory, PasswordChannel.LoginPage);
        for (var guess = 0; guess < Threshold; guess++)
        {
            Assert.False(await attacker.SignInAsync(userName, "wrong guess " + guess));
        }

        Assert.True((await LockoutStateAsync(userName)).LockedOut, "the attacker's guesses locked the account against new password sign-ins");
        var (refreshStatus, refreshed) = await AuthorizationCodeFlow.RefreshAsync(factory.CreateClient(), tokens.String("refresh_token"));
        Assert.True(refreshStatus == HttpStatusCode.OK, $"the victim's refresh answered {refreshStatus}: {refreshed}");

        // The victim's sign-in cookie still completes an authorization request without a new password.
        var (_, challenge) = OAuth.NewPkce();
        using var authorize = await victim.GetAsync(AuthorizationCodeFlow.AuthorizeUrl(challenge, state: "still-signed-in"), OAuth.Cancel);
        Assert.Equal(HttpStatusCode.Redirect, authorize.StatusCode);
        Assert.StartsWith(IdentityServerFactory.WebRedirectUri, OAuth.Absolute(authorize.Headers.Location!).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADisabledAccountCannotRefreshItsSession()
    {
        var (userName, tokens) = await AuthorizationCodeFlow.SignedInUserTokensAsync(factory);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var user = (await users.FindByNameAsync(userName))!;
            // How an operator disables an account (Identity's convention for "locked indefinitely").
            Assert.True((await users.SetLockoutEndDateAsync(user, DateTimeOffset.MaxValue)).Succeeded);
        }

        var (status, body) = await AuthorizationCodeFlow.RefreshAsync(factory.CreateClient(), tokens.String("refresh_token"));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_grant", body.String("error"));
    }

    [Fact]
    public async Task AnOperatorSigningTheUserOutEverywhereEndsTheirRefreshTokens()
    {
        var (userName, tokens) = await AuthorizationCodeFlow.SignedInUserTokensAsync(factory);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            // What a password change or reset does too: a new security stamp.
            Assert.True((await users.UpdateSecurityStampAsync((await users.FindByNameAsync(userName))!)).Succeeded);
        }

        var (status, body) = await AuthorizationCodeFlow.RefreshAsync(factory.CreateClient(), tokens.String("refresh_token"));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_grant", body.String("error"));
        // The stamp travels only inside OpenIddict's encrypted refresh token, never in a token a client can read.
        foreach (var readable in new[] { "access_token", "id_token" })
        {
            Assert.DoesNotContain(OAuth.ReadJwt(tokens.String(readable)).Claims, claim => claim.Type.Contains("SecurityStamp", StringComparison.Ordinal));
        }
    }

    private int CheckedGuesses(string userName) =>
        factory.Logs.Count(entry => entry.EventId.Id == 4008
            && entry.Message.Contains(userName, StringComparison.Ordinal)
            && entry.Message.EndsWith("wrong password", StringComparison.Ordinal));

    private async Task<(int Count, bool LockedOut)> LockoutStateAsync(string userName)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = (await users.FindByNameAsync(userName))!;
        return (user.AccessFailedCount, user.LockoutEnd > DateTimeOffset.UtcNow);
    }
}

/// <summary>The two ways a password reaches <c>PasswordSignIn</c>: the login form and the (Development) password grant.</summary>
public sealed class PasswordChannel
{
    public const string LoginPage = "login page";
    public const string PasswordGrant = "password grant";

    private readonly HttpClient _client;
    private readonly string _channel;
    private readonly string? _antiforgeryToken;

    private PasswordChannel(HttpClient client, string channel, string? antiforgeryToken)
    {
        _client = client;
        _channel = channel;
        _antiforgeryToken = antiforgeryToken;
    }

    /// <summary>One client (one cookie jar, one antiforgery token) for every guess, as a scripted attacker would.</summary>
    public static async Task<PasswordChannel> OpenAsync(IdentityServerFactory factory, string channel)
    {
        var client = factory.CreateBrowser();
        var token = channel == LoginPage ? OAuth.AntiforgeryToken(await client.GetStringAsync("/account/login", OAuth.Cancel)) : null;
        return new PasswordChannel(client, channel, token);
    }

    /// <returns>Whether the password signed in.</returns>
    public async Task<bool> SignInAsync(string userName, string password)
    {
        if (_channel == PasswordGrant)
        {
            var request = PasswordGrantTests.DemoRequest(IdentityServerFactory.DemoClientId);
            request["username"] = userName;
            request["password"] = password;
            var (status, body) = await OAuth.TokenAsync(_client, request);
            Assert.True(status is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"the password grant answered {status}: {body}");
            return status == HttpStatusCode.OK;
        }

        using var response = await _client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = _antiforgeryToken!,
            ["UserName"] = userName,
            ["Password"] = password,
            ["ReturnUrl"] = string.Empty,
        }), OAuth.Cancel);
        Assert.True(response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Unauthorized, $"the login page answered {response.StatusCode}");
        return response.StatusCode == HttpStatusCode.Redirect;
    }
}
