using Testcontainers.PostgreSql;
using Xunit;

namespace SecureStack.Testing;

/// <summary>
/// A real PostgreSQL in a container, started once per test assembly and removed afterwards (by the tests: the
/// Testcontainers reaper cannot be pulled on offline machines). Each host under test gets a database of its own,
/// which EF Core's migrations create, so hosts never see each other's rows and every run starts from empty.
/// </summary>
public sealed class PostgresContainerFixture : IAsyncLifetime
{
    private readonly PostgreSqlContainer _container = new PostgreSqlBuilder(ContainerImages.Postgres).Build();

    /// <summary>A connection string to a database that does not exist yet (the service's migrations create it).</summary>
    public string NewDatabase(string prefix) =>
        $"{_container.GetConnectionString()};Database={prefix}_{Guid.NewGuid():N}";

    public async ValueTask InitializeAsync() => await _container.StartAsync();

    public async ValueTask DisposeAsync() => await _container.DisposeAsync();
}
