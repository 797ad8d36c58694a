using Microsoft.Extensions.Configuration;

namespace SecureStack.AppHost.Extensions;

/// <summary>
/// Where Identity and the Api keep their data: each its own SQLite file (the default, nothing to run) or one
/// PostgreSQL server with a database each (<c>Database:Provider</c> = <c>Postgres</c>), which replicas on
/// different hosts can share.
/// </summary>
public static class DatabaseExtensions
{
    public const string ProviderKey = "Database:Provider";
    public const string Sqlite = "Sqlite";
    public const string Postgres = "Postgres";

    /// <summary>
    /// The PostgreSQL server when the provider is <c>Postgres</c>, else null. Its password is the integration's
    /// generated secret parameter <c>postgres-password</c>; its image comes from <c>Containers:Postgres:Image</c>
    /// when set.
    /// </summary>
    public static IResourceBuilder<PostgresServerResource>? AddDatabaseServer(this IDistributedApplicationBuilder builder)
    {
        var provider = builder.Configuration[ProviderKey];
        if (string.IsNullOrWhiteSpace(provider) || provider == Sqlite)
        {
            return null;
        }

        return provider == Postgres
            ? builder.AddPostgres("postgres").WithImageFromConfiguration(builder.Configuration, ContainerImageExtensions.PostgresImageKey)
            : throw new InvalidOperationException($"{ProviderKey} must be '{Sqlite}' or '{Postgres}', not '{provider}'.");
    }

    /// <summary>
    /// Gives <paramref name="service"/> its own database on <paramref name="server"/> (as connection string
    /// <paramref name="connectionName"/>) and tells it, through <paramref name="providerSetting"/>, to use it.
    /// With SQLite (no server) the service keeps its embedded default.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithDatabase(
        this IResourceBuilder<ProjectResource> service,
        IResourceBuilder<PostgresServerResource>? server,
        string databaseName,
        string providerSetting,
        string? connectionName = null)
    {
        if (server is null)
        {
            return service;
        }

        var database = server.AddDatabase(databaseName);
        return service
            // The services read ConnectionStrings__* and services__* only; the per-property variables Aspire would
            // add as well (<NAME>_PASSWORD, _URI, ...) would only spread the database password to more places.
            // Read when a reference is added, so it comes first.
            .WithReferenceEnvironment(ReferenceEnvironmentInjectionFlags.ConnectionString | ReferenceEnvironmentInjectionFlags.ServiceDiscovery)
            .WithReference(database, connectionName ?? databaseName).WaitFor(database)
            .WithEnvironment(providerSetting, Postgres);
    }
}
