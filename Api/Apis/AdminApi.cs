using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using SecureStack.Api.Data;
using SecureStack.Api.Extensions;
using SecureStack.Api.Models;

namespace SecureStack.Api.Apis;

/// <summary>
/// Administration across owners. The whole group requires the admin policy (role <c>admin</c> and scope
/// <c>api.admin</c>), so function-level authorization (API5) is one line that covers every route added here.
/// </summary>
public static class AdminApi
{
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/admin")
            .WithTags("Admin")
            .WithDescription("Requires the role 'admin' and the scope 'api.admin'; everyone else gets 403.")
            .RequireAuthorization(ApiPolicies.Admin)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        api.MapGet("/notes", ListAllNotes).WithName(nameof(ListAllNotes)).ProducesValidationProblem();

        return app;
    }

    public static async Task<Results<Ok<Page<AdminNoteResponse>>, ValidationProblem>> ListAllNotes(
        NotesDbContext db,
        CancellationToken cancellationToken,
        [StringLength(NoteLimits.OwnerIdMaxLength)] string? owner = null,
        [Range(1, NoteLimits.MaxPageSize)] int? limit = null,
        [StringLength(NoteLimits.CursorMaxLength)] string? cursor = null)
    {
        Guid? after = null;
        if (cursor is not null && !PageCursor.TryDecode(cursor, out after))
        {
            return NotesApi.InvalidCursor();
        }

        var notes = db.Notes.AsNoTracking();
        if (owner is not null)
        {
            notes = notes.OwnedBy(owner);
        }

        var page = await notes.ReadPageAsync(after, limit ?? NoteLimits.DefaultPageSize, AdminNoteResponse.From, cancellationToken);
        return TypedResults.Ok(page);
    }
}
