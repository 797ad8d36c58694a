using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace SecureStack.AppHost.Tests;

/// <summary><c>Database:Provider</c> in the resource graph: nothing is started, so these need no container engine.</summary>
public sealed class DatabaseConfigurationTests
{
    [Fact]
    public async Task ByDefaultEachServiceKeepsItsEmbeddedDatabaseAndNoServerRuns()
    {
        await using var builder = await CreateAsync([]);

        Assert.DoesNotContain(builder.Resources, resource => resource is PostgresServerResource or PostgresDatabaseResource);
    }

    [Fact]
    public async Task PostgresGivesIdentityAndTheApiADatabaseEachOnOneServerWithTheConfiguredImage()
    {
        await using var builder = await CreateAsync(["--Database:Provider=Postgres", "--Containers:Postgres:Image=securestack/postgres:15-debian"]);

        var server = Assert.Single(builder.Resources.OfType<PostgresServerResource>());
        var image = server.Annotations.OfType<ContainerImageAnnotation>().Last();
        Assert.Equal(("securestack/postgres", "15-debian"), (image.Image, image.Tag));
        Assert.Null(image.Registry);
        Assert.Equal(["identitydb", "notesdb"], builder.Resources.OfType<PostgresDatabaseResource>().Select(database => database.DatabaseName).Order());
    }

    [Fact]
    public async Task AnUnknownProviderStopsTheAppHostNamingTheKey()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => CreateAsync(["--Database:Provider=Oracle"]));

        Assert.Contains("Database:Provider", error.ToString(), StringComparison.Ordinal);
    }

    private static async Task<IDistributedApplicationTestingBuilder> CreateAsync(string[] args) =>
        await DistributedApplicationTestingBuilder.CreateAsync<Projects.SecureStack_AppHost>(args, TestContext.Current.CancellationToken);
}
