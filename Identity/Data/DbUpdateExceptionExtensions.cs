using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace SecureStack.Identity.Data;

public static class DbUpdateExceptionExtensions
{
    private const int SqliteConstraintUnique = 2067;

    /// <summary>The write broke a unique index (on either provider): someone else stored the same key first.</summary>
    public static bool IsUniqueViolation(this DbUpdateException exception) => exception.InnerException switch
    {
        SqliteException sqlite => sqlite.SqliteExtendedErrorCode == SqliteConstraintUnique,
        PostgresException postgres => postgres.SqlState == PostgresErrorCodes.UniqueViolation,
        _ => false,
    };
}
