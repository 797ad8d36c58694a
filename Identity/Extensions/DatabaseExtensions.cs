using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SecureStack.Identity.Data;
using SecureStack.Identity.Options;

namespace SecureStack.Identity.Extensions;

public static class DatabaseExtensions
{
    /// <summary>
    /// The EF Core store for Identity and OpenIddict. The provider is a setting so that PostgreSQL is one more
    /// case here (and its own migrations), never a change to the endpoints.
    /// </summary>
    public static IHostApplicationBuilder AddIdentityDatabase(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DatabaseOptions>()
            .BindConfiguration(DatabaseOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<DatabaseOptions>, DatabaseOptionsValidator>();
        builder.Services.AddSingleton<DataFolder>();

        builder.Services.AddDbContext<ApplicationDbContext>((services, options) =>
        {
            var database = services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            if (!string.Equals(database.Provider, DatabaseOptions.Sqlite, StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException(
                    $"{DatabaseOptions.SectionName}:Provider '{database.Provider}' is not supported: set it to '{DatabaseOptions.Sqlite}'.");
            }

            options.UseSqlite(database.ConnectionString
                ?? $"Data Source={services.GetRequiredService<DataFolder>().PathFor("identity.db")}");
            options.UseOpenIddict();
        });

        builder.Services.AddHostedService<DatabaseMigrator>();
        return builder;
    }
}
