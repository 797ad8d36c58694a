using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace SecureStack.Identity.Data;

/// <summary>
/// Users and roles (ASP.NET Core Identity), OpenIddict's applications, scopes, authorizations and tokens, and the
/// Data Protection key ring, on SQLite (the embedded default; migrations in <c>Migrations/Sqlite</c>). PostgreSQL
/// uses <see cref="PostgresApplicationDbContext"/>: the same model with its own migrations.
/// </summary>
public class ApplicationDbContext : IdentityDbContext<ApplicationUser>, IDataProtectionKeyContext
{
    public ApplicationDbContext(DbContextOptions<ApplicationDbContext> options)
        : base(options)
    {
    }

    protected ApplicationDbContext(DbContextOptions options)
        : base(options)
    {
    }

    /// <summary>The key ring behind the login cookie and antiforgery tokens, shared by every replica.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        // Identity checks for a taken address before it inserts, which two concurrent registrations both pass;
        // the unique index makes the database the judge, so exactly one account exists per address.
        builder.Entity<ApplicationUser>().HasIndex(user => user.NormalizedEmail).HasDatabaseName("EmailIndex").IsUnique();
    }
}

/// <summary>
/// The PostgreSQL variant. A type of its own only so that EF Core tells the two providers' migrations apart
/// (<c>[DbContext]</c> of each migration); the services resolve it as <see cref="ApplicationDbContext"/>.
/// </summary>
public sealed class PostgresApplicationDbContext(DbContextOptions<PostgresApplicationDbContext> options)
    : ApplicationDbContext(options);
