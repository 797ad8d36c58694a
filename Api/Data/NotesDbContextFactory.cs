using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace SecureStack.Api.Data;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the service. No database is opened.</summary>
internal sealed class NotesDbContextFactory : IDesignTimeDbContextFactory<NotesDbContext>
{
    public NotesDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<NotesDbContext>().UseSqlite("Data Source=design-time.db").Options);
}

/// <summary><c>dotnet ef migrations add … --context PostgresNotesDbContext</c>.</summary>
internal sealed class PostgresNotesDbContextFactory : IDesignTimeDbContextFactory<PostgresNotesDbContext>
{
    public PostgresNotesDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresNotesDbContext>().UseNpgsql("Host=localhost;Database=design-time").Options);
}
