using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace SecureStack.Identity.Data;

/// <summary>
/// Lets <c>dotnet ef migrations add</c> build the model without booting the host, which would demand the
/// secrets (client secrets, issuer) that only a real environment supplies. No database is opened.
/// </summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<ApplicationDbContext>
{
    public ApplicationDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<ApplicationDbContext>()
            .UseSqlite("Data Source=design-time.db")
            .UseOpenIddict()
            .Options);
}

/// <summary><c>dotnet ef migrations add … --context PostgresApplicationDbContext</c>.</summary>
internal sealed class PostgresDesignTimeDbContextFactory : IDesignTimeDbContextFactory<PostgresApplicationDbContext>
{
    public PostgresApplicationDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresApplicationDbContext>()
            .UseNpgsql("Host=localhost;Database=design-time")
            .UseOpenIddict()
            .Options);
}
