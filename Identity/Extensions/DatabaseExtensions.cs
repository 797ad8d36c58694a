using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SecureStack.Identity.Data;
using SecureStack.Identity.Options;

namespace SecureStack.Identity.Extensions;

public static class DatabaseExtensions
{
    /// <summary>
    /// The EF Core store for Identity, OpenIddict and the Data Protection key ring: SQLite by default, PostgreSQL
    /// with <c>Database:Provider</c> = <c>Postgres</c>. The endpoints only see <see cref="ApplicationDbContext"/>.
    /// </summary>
    public static IHostApplicationBuilder AddIdentityDatabase(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DatabaseOptions>()
            .BindConfiguration(DatabaseOptions.SectionName)
            .PostConfigure<IConfiguration>((options, configuration) =>
                options.ConnectionString ??= options.IsPostgres
                    ? configuration.GetConnectionString(DatabaseOptions.PostgresConnectionStringName)
                    : null)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<DatabaseOptions>, DatabaseOptionsValidator>();
        builder.Services.AddSingleton<DataFolder>();

        // The provider decides the context type (and with it which migrations apply), so it is read here, once.
        var provider = builder.Configuration[$"{DatabaseOptions.SectionName}:{nameof(DatabaseOptions.Provider)}"];
        if (string.Equals(provider, DatabaseOptions.Postgres, StringComparison.Ordinal))
        {
            builder.Services.AddDbContext<ApplicationDbContext, PostgresApplicationDbContext>((services, options) =>
                options.UseNpgsql(services.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString).UseOpenIddict());
            // Aspire's client integration: a readiness health check, traces and metrics, and retries on transient
            // failures (which is why multi-write operations run inside the context's execution strategy).
            builder.EnrichNpgsqlDbContext<PostgresApplicationDbContext>();
        }
        else
        {
            builder.Services.AddDbContext<ApplicationDbContext>((services, options) =>
                options.UseSqlite(services.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString
                        ?? $"Data Source={services.GetRequiredService<DataFolder>().PathFor("identity.db")}")
                    .UseOpenIddict());
        }

        builder.Services.AddHostedService<DatabaseMigrator>();
        return builder;
    }
}
