using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using SecureStack.Identity.Data;

namespace SecureStack.Identity.Accounts;

/// <summary>
/// Creates an account and its roles as one unit: Identity saves the user and each role assignment separately,
/// so a crash or a failed write between them would otherwise leave an account without its roles. All writes
/// run in one transaction, inside the provider's execution strategy (PostgreSQL retries transient failures,
/// and a retry must repeat the whole unit, not its last statement).
/// </summary>
public sealed class AccountCreation(UserManager<ApplicationUser> users, ApplicationDbContext db)
{
    /// <returns>Identity's verdict; nothing is stored unless it succeeded.</returns>
    /// <exception cref="DbUpdateException">A write failed, e.g. a concurrent registration took the address.</exception>
    public Task<IdentityResult> CreateAsync(ApplicationUser user, string password, IReadOnlyCollection<string> roles, CancellationToken cancellationToken) =>
        db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            // A retried attempt starts from what the database holds, not from the failed attempt's tracked rows.
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

            var result = await users.CreateAsync(user, password);
            if (result.Succeeded && roles.Count > 0)
            {
                result = await users.AddToRolesAsync(user, roles);
            }

            if (result.Succeeded)
            {
                await transaction.CommitAsync(cancellationToken);
            }

            // Disposing the transaction uncommitted rolls back whatever was written.
            return result;
        });
}
