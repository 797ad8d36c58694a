using System.ComponentModel.DataAnnotations;

namespace SecureStack.Identity.Options;

/// <summary>The <c>Database</c> section: which EF Core provider stores users, clients, tokens and the key ring.</summary>
public sealed class DatabaseOptions
{
    public const string SectionName = "Database";
    public const string Sqlite = "Sqlite";
    public const string Postgres = "Postgres";

    /// <summary>The connection string the AppHost passes for its <c>identitydb</c> PostgreSQL database.</summary>
    public const string PostgresConnectionStringName = "identitydb";

    /// <summary><c>Sqlite</c> (embedded, one replica) or <c>Postgres</c> (shared by any number of replicas).</summary>
    [Required]
    public string Provider { get; set; } = Sqlite;

    /// <summary>
    /// Optional for SQLite (default: a file <c>identity.db</c> in <c>Identity:DataPath</c>); for PostgreSQL
    /// <c>ConnectionStrings:identitydb</c> when unset.
    /// </summary>
    public string? ConnectionString { get; set; }

    public bool IsPostgres => string.Equals(Provider, Postgres, StringComparison.Ordinal);

    public bool IsSqlite => string.Equals(Provider, Sqlite, StringComparison.Ordinal);
}
