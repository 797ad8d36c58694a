namespace SecureStack.AppHost.Tests;

/// <summary>
/// The whole stack with <c>Database:Provider</c> = <c>Postgres</c>: one PostgreSQL container (the image from
/// <c>Containers__Postgres__Image</c> on offline machines), Identity and both Api replicas migrating their own
/// databases on it at start-up.
/// </summary>
public sealed class PostgresAppHostFixture : AppHostFixture
{
    protected override string[] Arguments => ["--Database:Provider=Postgres"];

    protected override string[] ResourcesToWaitFor => ["postgres", .. Resources];
}

[CollectionDefinition(Name)]
public sealed class PostgresAppHostCollection : ICollectionFixture<PostgresAppHostFixture>
{
    public const string Name = "apphost on PostgreSQL";
}

// The client's whole path again (tokens from Identity, notes in the Api, ownership), with both on PostgreSQL.
[Collection(PostgresAppHostCollection.Name)]
public sealed class NotesThroughTheGatewayTestsOnPostgres(PostgresAppHostFixture fixture) : NotesThroughTheGatewayTests(fixture);
