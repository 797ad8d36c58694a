namespace SecureStack.Identity.Tests.Infrastructure;

/// <summary>
/// The same Development server on PostgreSQL (a fresh database in the shared container) instead of SQLite, for
/// the tests that exercise the data layer on both providers.
/// </summary>
public sealed class PostgresIdentityServerFactory(PostgresContainerFixture postgres)
    : IdentityServerFactory(dataPath: null, environment: "Development", PostgresSettings(postgres))
{
    public static Dictionary<string, string?> PostgresSettings(PostgresContainerFixture postgres) => new()
    {
        ["Database:Provider"] = "Postgres",
        ["Database:ConnectionString"] = postgres.NewDatabase("identity"),
    };
}

/// <summary>The tests that run again on PostgreSQL share one server; they register their own users.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresIdentityServerFactory>
{
    public const string Name = "Identity on PostgreSQL";
}
