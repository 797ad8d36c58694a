using System.ComponentModel.DataAnnotations;

namespace SecureStack.Api.Options;

/// <summary>Which database holds the notes. The connection string is <c>ConnectionStrings:notes</c>.</summary>
public sealed class NotesDatabaseOptions
{
    public const string SectionName = "NotesDatabase";
    public const string ConnectionStringName = "notes";
    public const string Sqlite = "Sqlite";
    public const string Postgres = "Postgres";

    /// <summary>
    /// The EF Core provider: <c>Sqlite</c> (embedded, replicas on one host share the file) or <c>Postgres</c>
    /// (any number of replicas anywhere). Each has its own migrations.
    /// </summary>
    [Required]
    [AllowedValues(Sqlite, Postgres)]
    public string Provider { get; set; } = Sqlite;

    /// <summary>Apply pending migrations before the server starts listening.</summary>
    public bool MigrateOnStartup { get; set; } = true;
}
