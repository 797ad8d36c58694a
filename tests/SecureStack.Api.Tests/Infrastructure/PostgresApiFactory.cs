using Microsoft.Extensions.Hosting;

namespace SecureStack.Api.Tests.Infrastructure;

/// <summary>The same Api on PostgreSQL (a fresh database in the shared container) instead of a SQLite file.</summary>
public sealed class PostgresApiFactory(PostgresContainerFixture postgres) : ApiFactory(
    Environments.Production,
    new Dictionary<string, string?>
    {
        ["NotesDatabase:Provider"] = "Postgres",
        ["ConnectionStrings:notes"] = postgres.NewDatabase("notes"),
    });
