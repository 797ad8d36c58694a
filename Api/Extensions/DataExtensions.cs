using Microsoft.EntityFrameworkCore;
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

        // Queries go through EF only, so every value reaches the database as a parameter. The provider decides
        // the context type (and with it which migrations apply), so it is read here, once; an unknown value
        // fails the options validation above.
        var provider = builder.Configuration[$"{NotesDatabaseOptions.SectionName}:{nameof(NotesDatabaseOptions.Provider)}"];
        if (string.Equals(provider, NotesDatabaseOptions.Postgres, StringComparison.Ordinal))
        {
            builder.Services.AddDbContext<NotesDbContext, PostgresNotesDbContext>(options =>
                options.UseNpgsql(builder.Configuration.GetConnectionString(NotesDatabaseOptions.ConnectionStringName)));
            // Aspire's client integration: a readiness health check, traces, metrics and transient-failure retries.
            builder.EnrichNpgsqlDbContext<PostgresNotesDbContext>();
        }
        else
        {
            builder.Services.AddDbContext<NotesDbContext>(options =>
                options.UseSqlite(builder.Configuration.GetConnectionString(NotesDatabaseOptions.ConnectionStringName)));
        }

        builder.Services.AddHostedService<NotesDatabaseMigrator>();
        return builder;
    }
}
