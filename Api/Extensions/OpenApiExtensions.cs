using Scalar.AspNetCore;
using SecureStack.Api.OpenApi;

namespace SecureStack.Api.Extensions;

public static class OpenApiExtensions
{
    public static TBuilder AddApiOpenApi<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer<BearerSecurityTransformer>();
            options.AddOperationTransformer<BearerSecurityTransformer>();
        });
        return builder;
    }

    /// <summary>
    /// The document (<c>/openapi/v1.json</c>) and the Scalar reference (<c>/scalar</c>) are served in Development
    /// only: elsewhere a full route inventory is a map for an attacker, and the security suite reads the document
    /// from a Development run.
    /// </summary>
    public static WebApplication MapApiOpenApi(this WebApplication app)
    {
        if (app.Environment.IsDevelopment())
        {
            app.MapOpenApi().AllowAnonymous();
            app.MapScalarApiReference(options => options
                .WithTitle("SecureStack Api")
                .AddPreferredSecuritySchemes(BearerSecurityTransformer.SchemeName))
                .AllowAnonymous();
        }

        return app;
    }
}
