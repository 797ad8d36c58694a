using Microsoft.AspNetCore.Identity;
using SecureStack.Identity.Data;
using SecureStack.ServiceDefaults.Security;

namespace SecureStack.Identity.Accounts;

/// <summary>
/// The one place a user name and password are checked (login page and the Development-only password grant).
/// An unknown user, a wrong password and a locked account give the caller the same answer and cost about the
/// same time, so neither the response nor its latency tells an attacker which accounts exist.
/// </summary>
public sealed class PasswordSignIn(
    UserManager<ApplicationUser> userManager,
    SignInManager<ApplicationUser> signInManager,
    IPasswordHasher<ApplicationUser> passwordHasher,
    SecurityEvents securityEvents)
{
    public const string GenericError = "The user name or password is incorrect, or the account is temporarily locked.";

    private static readonly ApplicationUser DecoyUser = new() { UserName = "decoy" };
    private static string? s_decoyHash;

    /// <returns>The user when the password is right and the account may sign in; otherwise null.</returns>
    public async Task<ApplicationUser?> CheckAsync(string? userName, string? password)
    {
        if (string.IsNullOrWhiteSpace(userName) || string.IsNullOrEmpty(password))
        {
            securityEvents.LoginFailed(userName, "missing user name or password");
            return null;
        }

        var user = await userManager.FindByNameAsync(userName) ?? await userManager.FindByEmailAsync(userName);
        if (user is null)
        {
            SpendHashingTime(password);
            securityEvents.LoginFailed(userName, "unknown user");
            return null;
        }

        var wasLockedOut = await userManager.IsLockedOutAsync(user);
        if (wasLockedOut)
        {
            // Identity returns LockedOut without hashing; hash anyway so a locked account is not faster.
            SpendHashingTime(password);
        }

        // Verifies the password, counts the failure, locks out after MaxFailedAccessAttempts, and re-hashes a
        // stored hash made with fewer iterations than the current setting (upgrade on login).
        var result = await signInManager.CheckPasswordSignInAsync(user, password, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            return user;
        }

        if (result.IsLockedOut && !wasLockedOut)
        {
            var until = await userManager.GetLockoutEndDateAsync(user) ?? DateTimeOffset.UtcNow;
            securityEvents.Lockout(user.Id, until);
        }

        securityEvents.LoginFailed(userName, result.IsLockedOut ? "locked out" : result.IsNotAllowed ? "not allowed" : "wrong password");
        return null;
    }

    private void SpendHashingTime(string password)
    {
        s_decoyHash ??= passwordHasher.HashPassword(DecoyUser, Guid.NewGuid().ToString("N"));
        passwordHasher.VerifyHashedPassword(DecoyUser, s_decoyHash, password);
    }
}
