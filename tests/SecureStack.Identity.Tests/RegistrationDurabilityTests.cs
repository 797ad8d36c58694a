using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SecureStack.Identity.Accounts;
using SecureStack.Identity.Data;
using SecureStack.Identity.Tests.Infrastructure;

namespace SecureStack.Identity.Tests;

/// <summary>One account per address however registrations race, and no half-written account after a failure.</summary>
public class RegistrationDurabilityTests(IdentityServerFactory factory)
{
    private const string Password = "a long and unusual passphrase 7";

    [Fact]
    public async Task ConcurrentRegistrationsOfOneAddressCreateExactlyOneAccountAndAllGetTheSameAnswer()
    {
        var email = $"race-{Guid.NewGuid():N}@example.test";
        using var start = new ManualResetEventSlim();

        var attempts = Enumerable.Range(0, 6).Select(attempt => Task.Run(async () =>
        {
            start.Wait(OAuth.Cancel);
            using var response = await factory.CreateClient().PostAsJsonAsync(
                "/account/register", new { email, password = $"{Password} {attempt}" }, OAuth.Cancel);
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync(OAuth.Cancel));
        })).ToList();
        start.Set();
        var answers = await Task.WhenAll(attempts);

        Assert.All(answers, answer => Assert.Equal((HttpStatusCode.Accepted, answers[0].Body), answer));
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApplicationDbContext>();
        Assert.Equal(1, await db.Users.CountAsync(user => user.NormalizedEmail == email.ToUpperInvariant(), OAuth.Cancel));
    }

    [Fact]
    public async Task TheDatabaseRefusesASecondAccountWithTheSameAddressEvenPastIdentitysCheck()
    {
        var email = $"twice-{Guid.NewGuid():N}@example.test";
        await OAuth.RegisterAsync(factory.CreateClient(), Password, email);

        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApplicationDbContext>();
        db.Users.Add(new ApplicationUser
        {
            UserName = "other-name-" + email,
            NormalizedUserName = "OTHER-NAME-" + email.ToUpperInvariant(),
            Email = email,
            NormalizedEmail = email.ToUpperInvariant(),
        });
        var failure = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync(OAuth.Cancel));

        Assert.True(failure.IsUniqueViolation(), failure.InnerException?.Message);
    }

    [Fact]
    public async Task AFailureBetweenTheAccountAndItsRolesLeavesNoAccount()
    {
        var email = $"half-{Guid.NewGuid():N}@example.test";
        await using var scope = factory.Services.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<AccountCreation>();

        // The user row is written first; the role assignment then fails (no such role), as a crash would.
        var user = new ApplicationUser { UserName = email, Email = email };
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            accounts.CreateAsync(user, Password, ["role-that-does-not-exist"], OAuth.Cancel));

        await using var fresh = factory.Services.CreateAsyncScope();
        var users = fresh.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        Assert.Null(await users.FindByEmailAsync(email));
    }

    [Fact]
    public async Task AnAccountAndItsRolesAreStoredTogether()
    {
        var email = $"whole-{Guid.NewGuid():N}@example.test";
        var role = $"role-{Guid.NewGuid():N}";
        await using var scope = factory.Services.CreateAsyncScope();
        Assert.True((await scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>().CreateAsync(new IdentityRole(role))).Succeeded);
        var accounts = scope.ServiceProvider.GetRequiredService<AccountCreation>();

        var result = await accounts.CreateAsync(new ApplicationUser { UserName = email, Email = email }, Password, [role], OAuth.Cancel);

        Assert.True(result.Succeeded, string.Join(", ", result.Errors.Select(error => error.Description)));
        await using var fresh = factory.Services.CreateAsyncScope();
        var users = fresh.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        Assert.Equal([role], await users.GetRolesAsync((await users.FindByEmailAsync(email))!));
    }
}
