using System.ComponentModel.DataAnnotations;

namespace SecureStack.Identity.Options;

/// <summary>The <c>Database</c> section: which EF Core provider stores users, clients and tokens.</summary>
public sealed class DatabaseOptions
{
    public const string SectionName = "Database";
    public const string Sqlite = "Sqlite";

    /// <summary>Only <c>Sqlite</c> today; the endpoints only see EF Core, so PostgreSQL is a new case here.</summary>
    [Required]
    public string Provider { get; set; } = Sqlite;

    /// <summary>Optional; by default a file <c>identity.db</c> in <c>Identity:DataPath</c>.</summary>
    public string? ConnectionString { get; set; }
}
