using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using SecureStack.Identity.Data;
using SecureStack.Identity.Tests.Infrastructure;

namespace SecureStack.Identity.Tests;

/// <summary>How many passwords an attacker gets checked per account over time (F7's cap), on a fake clock.</summary>
[Collection(OwnServerCollection.Name)]
public sealed class LockoutTimingTests
{
    private const int Burst = 6;

    [Fact]
    public async Task PasswordGuessingIsCappedPerAccountPerHour()
    {
        await using var factory = new FakeClockIdentityServerFactory();
        var userName = await OAuth.RegisterAsync(factory.CreateClient(), LockoutTests.Password);
        var attacker = await PasswordChannel.OpenAsync(factory, PasswordChannel.LoginPage);
        var checkedPerHour = new int[2];

        // A burst every 5 minutes for two hours: whatever the lock length, nothing is left on the table.
        for (var minute = 0; minute < 120; minute += 5)
        {
            var before = CheckedGuesses(factory, userName);
            await Task.WhenAll(Enumerable.Range(0, Burst).Select(guess => attacker.SignInAsync(userName, $"guess {guess} at minute {minute}")));
            checkedPerHour[minute / 60] += CheckedGuesses(factory, userName) - before;
            factory.Clock.Advance(TimeSpan.FromMinutes(5));
        }

        // 5 at once, 5 after the 15-minute lock, 5 after the 30-minute one; then the 1-hour lock allows one more 5.
        Assert.Equal([15, 5], checkedPerHour);
    }

    [Fact]
    public async Task EachLockoutIsTwiceAsLongAsTheLastUpToFourHoursAndIsForgottenADayLater()
    {
        await using var factory = new FakeClockIdentityServerFactory();
        var userName = await OAuth.RegisterAsync(factory.CreateClient(), LockoutTests.Password);
        var attacker = await PasswordChannel.OpenAsync(factory, PasswordChannel.LoginPage);
        var lengths = new List<TimeSpan>();

        for (var lockout = 0; lockout < 7; lockout++)
        {
            if (lockout == 6)
            {
                factory.Clock.Advance(TimeSpan.FromDays(1));
            }

            var before = CheckedGuesses(factory, userName);
            await Task.WhenAll(Enumerable.Range(0, Burst).Select(guess => attacker.SignInAsync(userName, $"guess {guess} for lockout {lockout}")));
            var checkedGuesses = CheckedGuesses(factory, userName) - before;
            Assert.True(checkedGuesses == 5, $"{checkedGuesses} of {Burst} guesses checked before lockout {lockout}");

            var end = await LockoutEndAsync(factory, userName);
            lengths.Add(end - factory.Clock.GetUtcNow());
            factory.Clock.SetUtcNow(end);
        }

        Assert.Equal(
            new[] { 15, 30, 60, 120, 240, 240, 15 }.Select(minutes => TimeSpan.FromMinutes(minutes)),
            lengths.Select(length => TimeSpan.FromMinutes(Math.Round(length.TotalMinutes))));
    }

    private static int CheckedGuesses(IdentityServerFactory factory, string userName) =>
        factory.Logs.Count(entry => entry.EventId.Id == 4008
            && entry.Message.Contains(userName, StringComparison.Ordinal)
            && entry.Message.EndsWith("wrong password", StringComparison.Ordinal));

    private static async Task<DateTimeOffset> LockoutEndAsync(IdentityServerFactory factory, string userName)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().FindByNameAsync(userName);
        return user!.LockoutEnd ?? throw new InvalidOperationException("the account is not locked");
    }

    /// <summary>The Development server with a clock the test moves.</summary>
    private sealed class FakeClockIdentityServerFactory() : IdentityServerFactory(dataPath: null, environment: "Development", overrides: null)
    {
        public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
        }
    }
}
