using Microsoft.EntityFrameworkCore;
using SecureStack.Identity.Data;

namespace SecureStack.Identity.Accounts;

/// <summary>
/// Brute-force protection for password sign-in, kept in the user's row (<c>AccessFailedCount</c>,
/// <c>LockoutEnd</c>) so every replica on the shared database sees the same budget.
/// <para>
/// Threat: concurrent guessing. Identity's own <c>AccessFailedAsync</c> reads the row, checks the password and
/// writes the count back; a burst of guesses all read the same count, all get their password checked, and their
/// writes lose one another (one burst of 40 guesses had 38 checked before the lock). Here an attempt first takes
/// one of the account's <see cref="AttemptsPerLockout"/> slots with a compare-and-swap on the row's concurrency
/// stamp, and only an attempt holding a slot has its password checked. The attempt that takes the last slot sets
/// the lock in the same write, so no reader can see the slots used up without the lock. Every write changes the
/// concurrency stamp, so a stale <c>UserManager.UpdateAsync</c> elsewhere fails instead of overwriting the count.
/// </para>
/// <para>
/// Progressive lockout (Keycloak's brute-force detection, OWASP ASVS v4 2.2.1): failures are not forgotten when a
/// lock ends, and each lock is twice as long as the previous one, from <see cref="FirstLockout"/> up to
/// <see cref="LongestLockout"/>. At most 15 passwords per account are checked in any hour (5, then 5 after the
/// 15-minute lock, 5 after the 30-minute one), at most 50 in the first day and 30 a day after that. A successful sign-in clears the count, and the first attempt more
/// than a day after the last lock ended starts it again (<see cref="ForgetAfter"/>, Keycloak's failure reset time).
/// </para>
/// <para>
/// A lock only refuses new password sign-ins. Sessions (sign-in cookie, refresh tokens) are not ended by it, so an
/// anonymous caller who locks an account cannot sign its owner out; only an operator can, by locking the account
/// beyond <see cref="LongestLockout"/> (<see cref="IsDisabled"/>).
/// </para>
/// </summary>
public sealed class AccountLockout(ApplicationDbContext db, TimeProvider time)
{
    public const int AttemptsPerLockout = 5;
    public static readonly TimeSpan FirstLockout = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan LongestLockout = TimeSpan.FromHours(4);
    public static readonly TimeSpan ForgetAfter = TimeSpan.FromDays(1);

    // Under a burst, each round has one winner and at most AttemptsPerLockout winners come before the lock that
    // stops everyone; a request that still loses after this many rounds is refused (fail closed).
    private const int MaxRounds = (2 * AttemptsPerLockout) + 2;

    /// <summary>A slot taken for one password check: its number since the count was last cleared, and the lock it set.</summary>
    public readonly record struct Attempt(int Number, DateTimeOffset? LockoutEnd)
    {
        public bool LocksTheAccount => Number % AttemptsPerLockout == 0;
    }

    private sealed record State(int Count, DateTimeOffset? LockoutEnd, string? Stamp);

    /// <summary>Locked by an operator (Identity's convention: <c>SetLockoutEndDateAsync(user, DateTimeOffset.MaxValue)</c>), not by failed guesses.</summary>
    public bool IsDisabled(ApplicationUser user) => user.LockoutEnd > time.GetUtcNow() + LongestLockout;

    /// <summary>
    /// Takes a slot for one password check, counting it as a failure until <see cref="SucceededAsync"/> says otherwise.
    /// Null: the account is locked (or gone), and the password must not be checked.
    /// </summary>
    public async Task<Attempt?> BeginAsync(string userId, CancellationToken cancellationToken)
    {
        Attempt? taken = null;
        var applied = await ChangeAsync(userId, (state, now) =>
        {
            taken = null;
            if (state.LockoutEnd > now)
            {
                return null;
            }

            var forgotten = state.LockoutEnd is { } ended && ended + ForgetAfter <= now;
            var number = (forgotten ? 0 : state.Count) + 1;
            var attempt = new Attempt(
                number,
                number % AttemptsPerLockout == 0 ? now + LockoutFor(number / AttemptsPerLockout) : forgotten ? null : state.LockoutEnd);
            taken = attempt;
            return state with { Count = number, LockoutEnd = attempt.LockoutEnd };
        }, cancellationToken);
        return applied ? taken : null;
    }

    /// <summary>
    /// The password of <paramref name="attempt"/> was right: clears the count. False when concurrent guesses used
    /// up the budget (or an operator locked the account) meanwhile: once the threshold is crossed the right password
    /// is refused too, or a burst could hide the right guess among wrong ones checked in parallel.
    /// </summary>
    public Task<bool> SucceededAsync(string userId, Attempt attempt, CancellationToken cancellationToken) =>
        ChangeAsync(userId, (state, now) =>
            state.LockoutEnd > now && (state.Count != attempt.Number || state.LockoutEnd != attempt.LockoutEnd)
                ? null
                : state with { Count = 0, LockoutEnd = null },
            cancellationToken);

    // Whole milliseconds: PostgreSQL keeps microseconds, and SucceededAsync compares a stored end with its own.
    private DateTimeOffset Now()
    {
        var now = time.GetUtcNow();
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMillisecond));
    }

    private static TimeSpan LockoutFor(int lockout) =>
        TimeSpan.FromTicks(Math.Min(FirstLockout.Ticks << Math.Min(lockout - 1, 16), LongestLockout.Ticks));

    /// <returns>Whether <paramref name="change"/> was applied; false when it refused or the row kept changing under it.</returns>
    private async Task<bool> ChangeAsync(string userId, Func<State, DateTimeOffset, State?> change, CancellationToken cancellationToken)
    {
        for (var round = 0; round < MaxRounds; round++)
        {
            var current = await db.Users.AsNoTracking()
                .Where(user => user.Id == userId)
                .Select(user => new State(user.AccessFailedCount, user.LockoutEnd, user.ConcurrencyStamp))
                .SingleOrDefaultAsync(cancellationToken);
            if (current is null || change(current, Now()) is not { } next)
            {
                return false;
            }

            var stamp = Guid.NewGuid().ToString();
            var written = await db.Users
                .Where(user => user.Id == userId && user.ConcurrencyStamp == current.Stamp)
                .ExecuteUpdateAsync(
                    setters => setters
                        .SetProperty(user => user.AccessFailedCount, next.Count)
                        .SetProperty(user => user.LockoutEnd, next.LockoutEnd)
                        .SetProperty(user => user.ConcurrencyStamp, stamp),
                    cancellationToken);
            if (written == 1)
            {
                return true;
            }
        }

        return false;
    }
}
