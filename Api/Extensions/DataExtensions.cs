using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SecureStack.Api.Data;
using SecureStack.Api.Options;

namespace SecureStack.Api.Extensions;

public static class DataExtensions
{
    public static TBuilder AddNotesData<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<NotesDatabaseOptions>()
            .BindConfiguration(NotesDatabaseOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(
                _ => !string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(NotesDatabaseOptions.ConnectionStringName)),
                $"ConnectionStrings:{NotesDatabaseOptions.ConnectionStringName} is not set: give the notes database a connection string.")
            .ValidateOnStart();

        builder.Services.AddDbContext<NotesDbContext>((services, options) =>
        {
            var database = services.GetRequiredService<IOptions<NotesDatabaseOptions>>().Value;
            var connectionString = builder.Configuration.GetConnectionString(NotesDatabaseOptions.ConnectionStringName);
            _ = database.Provider switch
            {
                // Queries go through EF only, so every value reaches the database as a parameter.
                NotesDatabaseOptions.Sqlite => options.UseSqlite(connectionString),
                _ => throw new InvalidOperationException($"Unsupported {NotesDatabaseOptions.SectionName}:Provider '{database.Provider}'."),
            };
        });

        builder.Services.AddHostedService<NotesDatabaseMigrator>();
        return builder;
    }
}
