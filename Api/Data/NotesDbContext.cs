using Microsoft.EntityFrameworkCore;
using SecureStack.Api.Models;

namespace SecureStack.Api.Data;

/// <summary>
/// The notes on SQLite (the embedded default; migrations in <c>Migrations/Sqlite</c>). PostgreSQL uses
/// <see cref="PostgresNotesDbContext"/>: the same model with its own migrations.
/// </summary>
public class NotesDbContext : DbContext
{
    public NotesDbContext(DbContextOptions<NotesDbContext> options)
        : base(options)
    {
    }

    protected NotesDbContext(DbContextOptions options)
        : base(options)
    {
    }

    public DbSet<Note> Notes => Set<Note>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var note = modelBuilder.Entity<Note>();
        note.HasKey(n => n.Id);
        note.Property(n => n.Id).ValueGeneratedNever();
        note.Property(n => n.OwnerId).HasMaxLength(NoteLimits.OwnerIdMaxLength);
        note.Property(n => n.Title).HasMaxLength(NoteLimits.TitleMaxLength);
        note.Property(n => n.Body).HasMaxLength(NoteLimits.BodyMaxLength);
        note.PrimitiveCollection(n => n.Tags);
        // EF adds "WHERE Version = @original" to every update, so two writers racing past the If-Match check
        // cannot both win: the loser gets a concurrency exception (412), not a silent lost update.
        note.Property(n => n.Version).IsConcurrencyToken();
        // Every owner query is "this owner's notes, newest first", served by one index.
        note.HasIndex(n => new { n.OwnerId, n.Id });
    }
}

/// <summary>
/// The PostgreSQL variant. A type of its own only so that EF Core tells the two providers' migrations apart; the
/// endpoints resolve it as <see cref="NotesDbContext"/>.
/// </summary>
public sealed class PostgresNotesDbContext(DbContextOptions<PostgresNotesDbContext> options) : NotesDbContext(options);
