namespace SecureStack.AppHost.Tests;

/// <summary>The manifest with <c>Database:Provider</c> = <c>Postgres</c>: the same checks, and the database wiring.</summary>
public sealed class PostgresPublishManifestFixture : PublishManifestFixture
{
    public override string[] GeneratedSecrets => ["postgres-password", .. base.GeneratedSecrets];

    public override string[] Containers => ["postgres", "redis"];

    protected override string[] Arguments => [.. base.Arguments, "--Database:Provider=Postgres", "--Containers:Postgres:Image="];
}

public sealed class PostgresPublishManifestTests(PostgresPublishManifestFixture fixture)
    : PublishManifestTests(fixture), IClassFixture<PostgresPublishManifestFixture>
{
    [Fact]
    public void PostgresIsTheUpstreamImageWithAGeneratedPasswordOnAnInternalPort()
    {
        var postgres = Manifest.Resource("postgres");

        Assert.StartsWith("docker.io/library/postgres:", postgres.GetProperty("image").GetString(), StringComparison.Ordinal);
        Assert.Equal(5432, Binding("postgres", "tcp").GetProperty("targetPort").GetInt32());
        Assert.False(Binding("postgres", "tcp").TryGetProperty("external", out _));
        Assert.Equal("{postgres-password.value}", postgres.GetProperty("env").GetProperty("POSTGRES_PASSWORD").GetString());
        Assert.Contains("Password={postgres-password.value}", postgres.GetProperty("connectionString").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("identity", "identitydb", "ConnectionStrings__identitydb", "Database__Provider")]
    [InlineData("api", "notesdb", "ConnectionStrings__notes", "NotesDatabase__Provider")]
    public void EachServiceGetsItsOwnDatabaseByReferenceAndIsToldItsProvider(string service, string database, string connectionVariable, string providerVariable)
    {
        Assert.Equal("{postgres.connectionString};Database=" + database, Manifest.Resource(database).GetProperty("connectionString").GetString());
        Assert.Equal("{" + database + ".connectionString}", Manifest.Env(service, connectionVariable));
        Assert.Equal("Postgres", Manifest.Env(service, providerVariable));
    }

    [Fact]
    public void TheGatewayHasNoDatabase()
    {
        Assert.DoesNotContain(Manifest.Resource("gateway").GetProperty("env").EnumerateObject(),
            variable => variable.Value.GetString()!.Contains("postgres", StringComparison.OrdinalIgnoreCase)
                || variable.Value.GetString()!.Contains("db.connectionString", StringComparison.Ordinal));
    }
}
