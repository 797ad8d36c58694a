using Microsoft.EntityFrameworkCore;

namespace SecureStack.Identity.Data;

/// <summary>
/// Applies the EF Core migrations before the server listens (real migrations, not EnsureCreated, so the schema
/// can evolve without losing users).
/// </summary>
internal sealed class DatabaseMigrator(IServiceScopeFactory scopeFactory) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<ApplicationDbContext>();
        await context.Database.MigrateAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
