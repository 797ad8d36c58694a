using System.ComponentModel.DataAnnotations;

namespace SecureStack.Api.Options;

/// <summary>Which database holds the notes. The connection string is <c>ConnectionStrings:notes</c>.</summary>
public sealed class NotesDatabaseOptions
{
    public const string SectionName = "NotesDatabase";
    public const string ConnectionStringName = "notes";
    public const string Sqlite = "Sqlite";

    /// <summary>
    /// The EF Core provider. Only <c>Sqlite</c> ships today; PostgreSQL is a provider package, a case in
    /// <c>DataExtensions</c> and its own migrations away.
    /// </summary>
    [Required]
    [AllowedValues(Sqlite)]
    public string Provider { get; set; } = Sqlite;

    /// <summary>Apply pending migrations before the server starts listening.</summary>
    public bool MigrateOnStartup { get; set; } = true;
}
