using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using SecureStack.Identity.Data;
using SecureStack.ServiceDefaults.Security;

namespace SecureStack.Identity.Accounts;

/// <summary>
/// The one place a user name and password are checked (login page and the Development-only password grant).
/// An unknown user, a wrong password and a locked account give the caller the same answer and cost about the
/// same time, so neither the response nor its latency tells an attacker which accounts exist.
/// </summary>
/// <remarks>
/// Not <c>SignInManager.CheckPasswordSignInAsync</c>: its failure count is a read-modify-write that concurrent
/// guesses escape (see <see cref="AccountLockout"/>). Nothing here writes the user through <c>UserManager</c>, whose
/// update writes every column of the entity read at the start of the request, stale count included.
/// </remarks>
public sealed class PasswordSignIn(
    UserManager<ApplicationUser> userManager,
    SignInManager<ApplicationUser> signInManager,
    IPasswordHasher<ApplicationUser> passwordHasher,
    AccountLockout lockout,
    ApplicationDbContext db,
    SecurityEvents securityEvents)
{
    public const string GenericError = "The user name or password is incorrect, or the account is temporarily locked.";

    private static readonly ApplicationUser DecoyUser = new() { UserName = "decoy" };
    private static string? s_decoyHash;

    /// <returns>The user when the password is right and the account may sign in; otherwise null.</returns>
    public async Task<ApplicationUser?> CheckAsync(string? userName, string? password, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(userName) || string.IsNullOrEmpty(password))
        {
            securityEvents.LoginFailed(userName, "missing user name or password");
            return null;
        }

        var user = await userManager.FindByNameAsync(userName) ?? await userManager.FindByEmailAsync(userName);
        if (user is null || user.PasswordHash is null)
        {
            SpendHashingTime(password);
            securityEvents.LoginFailed(userName, "unknown user");
            return null;
        }

        if (!await signInManager.CanSignInAsync(user))
        {
            SpendHashingTime(password);
            securityEvents.LoginFailed(userName, "not allowed");
            return null;
        }

        // The slot is taken before the password is checked: a locked account's password is never checked.
        if (await lockout.BeginAsync(user.Id, cancellationToken) is not { } attempt)
        {
            SpendHashingTime(password);
            securityEvents.LoginFailed(userName, "locked out");
            return null;
        }

        var verdict = passwordHasher.VerifyHashedPassword(user, user.PasswordHash, password);
        if (verdict == PasswordVerificationResult.Failed)
        {
            if (attempt.LocksTheAccount)
            {
                securityEvents.Lockout(user.Id, attempt.LockoutEnd!.Value);
            }

            securityEvents.LoginFailed(userName, "wrong password");
            return null;
        }

        if (!await lockout.SucceededAsync(user.Id, attempt, cancellationToken))
        {
            securityEvents.LoginFailed(userName, "locked out by concurrent attempts");
            return null;
        }

        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
        {
            await UpgradeHashAsync(user, password, cancellationToken);
        }

        return user;
    }

    /// <summary>
    /// Re-hashes a hash made with fewer iterations than the current setting (upgrade on login). Only if the stored
    /// hash is still the one just verified, so a concurrent password change is not undone.
    /// </summary>
    private async Task UpgradeHashAsync(ApplicationUser user, string password, CancellationToken cancellationToken)
    {
        var verified = user.PasswordHash;
        var upgraded = passwordHasher.HashPassword(user, password);
        await db.Users
            .Where(stored => stored.Id == user.Id && stored.PasswordHash == verified)
            .ExecuteUpdateAsync(
                setters => setters
                    .SetProperty(stored => stored.PasswordHash, upgraded)
                    .SetProperty(stored => stored.ConcurrencyStamp, Guid.NewGuid().ToString()),
                cancellationToken);
    }

    private void SpendHashingTime(string password)
    {
        s_decoyHash ??= passwordHasher.HashPassword(DecoyUser, Guid.NewGuid().ToString("N"));
        passwordHasher.VerifyHashedPassword(DecoyUser, s_decoyHash, password);
    }
}
