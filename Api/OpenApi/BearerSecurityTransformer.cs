using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using SecureStack.Api.Extensions;

namespace SecureStack.Api.OpenApi;

/// <summary>
/// Declares the bearer scheme once and gives every operation that needs a token a security requirement listing
/// the scopes its policies demand. The security suite reads the document as the route inventory, so an operation
/// without a requirement here is an operation that claims to be anonymous.
/// </summary>
internal sealed class BearerSecurityTransformer : IOpenApiDocumentTransformer, IOpenApiOperationTransformer
{
    public const string SchemeName = "Bearer";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "An RS256 access token (typ at+jwt) from SecureStack Identity, audience securestack-api.",
        };
        return Task.CompletedTask;
    }

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<IAllowAnonymous>().Any())
        {
            return Task.CompletedTask;
        }

        // No [Authorize] at all still means a token: the fallback policy requires an authenticated caller.
        var scopes = metadata.OfType<IAuthorizeData>()
            .Select(data => data.Policy)
            .OfType<string>()
            .SelectMany(policy => ApiPolicies.Scopes.GetValueOrDefault(policy, []))
            .Distinct(StringComparer.Ordinal)
            .ToList();

        operation.Security ??= [];
        operation.Security.Add(new OpenApiSecurityRequirement
        {
            [new OpenApiSecuritySchemeReference(SchemeName, context.Document)] = scopes,
        });
        return Task.CompletedTask;
    }
}
