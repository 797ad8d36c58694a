using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using SecureStack.Api.Data;
using SecureStack.Api.Extensions;
using SecureStack.Api.Models;

namespace SecureStack.Api.Apis;

/// <summary>
/// A caller's own notes. Every query is scoped to the caller's owner id, so object-level authorization (API1) is
/// not a check that can be forgotten in one handler: a note someone else owns is simply not found.
/// </summary>
public static class NotesApi
{
    public static IEndpointRouteBuilder MapNotesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/notes")
            .WithTags("Notes")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        api.MapGet("/", ListNotes).WithName(nameof(ListNotes))
            .RequireAuthorization(ApiPolicies.NotesRead).ProducesValidationProblem();
        api.MapGet("/{id:guid}", GetNote).WithName(nameof(GetNote))
            .RequireAuthorization(ApiPolicies.NotesRead);
        api.MapPost("/", CreateNote).WithName(nameof(CreateNote))
            .RequireAuthorization(ApiPolicies.NotesWrite).ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        api.MapPut("/{id:guid}", ReplaceNote).WithName(nameof(ReplaceNote))
            .RequireAuthorization(ApiPolicies.NotesWrite).ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status428PreconditionRequired);
        api.MapPatch("/{id:guid}", PatchNote).WithName(nameof(PatchNote))
            .RequireAuthorization(ApiPolicies.NotesWrite).ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status428PreconditionRequired);
        api.MapDelete("/{id:guid}", DeleteNote).WithName(nameof(DeleteNote))
            .RequireAuthorization(ApiPolicies.NotesWrite)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);

        return app;
    }

    public static async Task<Results<Ok<Page<NoteResponse>>, ValidationProblem>> ListNotes(
        ClaimsPrincipal user,
        NotesDbContext db,
        CancellationToken cancellationToken,
        [Range(1, NoteLimits.MaxPageSize)] int? limit = null,
        [StringLength(NoteLimits.CursorMaxLength)] string? cursor = null)
    {
        Guid? after = null;
        if (cursor is not null && !PageCursor.TryDecode(cursor, out after))
        {
            return InvalidCursor();
        }

        var page = await db.Notes.AsNoTracking().OwnedBy(user.OwnerId())
            .ReadPageAsync(after, limit ?? NoteLimits.DefaultPageSize, NoteResponse.From, cancellationToken);
        return TypedResults.Ok(page);
    }

    public static async Task<Results<Ok<NoteResponse>, NotFound>> GetNote(
        Guid id, ClaimsPrincipal user, NotesDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var note = await db.Notes.AsNoTracking().OwnedBy(user.OwnerId())
            .SingleOrDefaultAsync(n => n.Id == id, cancellationToken);

        // 404, not 403, for someone else's note: a 403 would confirm that the id exists.
        if (note is null)
        {
            return TypedResults.NotFound();
        }

        response.Headers.ETag = EntityTags.For(note);
        return TypedResults.Ok(NoteResponse.From(note));
    }

    public static async Task<Created<NoteResponse>> CreateNote(
        CreateNoteRequest request, ClaimsPrincipal user, NotesDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        var note = new Note
        {
            Id = Guid.CreateVersion7(now),
            OwnerId = user.OwnerId(),
            Title = request.Title,
            Body = request.Body,
            Tags = [.. request.Tags ?? []],
            CreatedAt = now,
            UpdatedAt = now,
            Version = 1,
        };

        db.Notes.Add(note);
        await db.SaveChangesAsync(cancellationToken);

        response.Headers.ETag = EntityTags.For(note);
        return TypedResults.Created($"/api/v1/notes/{note.Id}", NoteResponse.From(note));
    }

    public static Task<Results<Ok<NoteResponse>, NotFound, ProblemHttpResult>> ReplaceNote(
        Guid id,
        ReplaceNoteRequest request,
        [FromHeader(Name = "If-Match")] string? ifMatch,
        ClaimsPrincipal user,
        NotesDbContext db,
        HttpResponse response,
        CancellationToken cancellationToken)
        => UpdateAsync(id, ifMatch, user, db, response, note =>
        {
            note.Title = request.Title;
            note.Body = request.Body;
            note.Tags = [.. request.Tags];
        }, cancellationToken);

    public static Task<Results<Ok<NoteResponse>, NotFound, ProblemHttpResult>> PatchNote(
        Guid id,
        PatchNoteRequest request,
        [FromHeader(Name = "If-Match")] string? ifMatch,
        ClaimsPrincipal user,
        NotesDbContext db,
        HttpResponse response,
        CancellationToken cancellationToken)
        => UpdateAsync(id, ifMatch, user, db, response, note =>
        {
            note.Title = request.Title ?? note.Title;
            note.Body = request.Body ?? note.Body;
            note.Tags = request.Tags is null ? note.Tags : [.. request.Tags];
        }, cancellationToken);

    /// <summary>
    /// The shared shape of PUT and PATCH: only the caller's own note (404 otherwise, not 403), only with a
    /// current ETag (428/412), then the change and a save that still detects a concurrent writer.
    /// </summary>
    private static async Task<Results<Ok<NoteResponse>, NotFound, ProblemHttpResult>> UpdateAsync(
        Guid id,
        string? ifMatch,
        ClaimsPrincipal user,
        NotesDbContext db,
        HttpResponse response,
        Action<Note> apply,
        CancellationToken cancellationToken)
    {
        var note = await db.Notes.OwnedBy(user.OwnerId()).SingleOrDefaultAsync(n => n.Id == id, cancellationToken);
        if (note is null)
        {
            return TypedResults.NotFound();
        }

        if (Precondition(ifMatch, note, required: true) is { } failed)
        {
            return failed;
        }

        apply(note);
        return await SaveAsync(db, note, response, cancellationToken);
    }

    public static async Task<Results<NoContent, NotFound, ProblemHttpResult>> DeleteNote(
        Guid id,
        [FromHeader(Name = "If-Match")] string? ifMatch,
        ClaimsPrincipal user,
        NotesDbContext db,
        CancellationToken cancellationToken)
    {
        var note = await db.Notes.OwnedBy(user.OwnerId()).SingleOrDefaultAsync(n => n.Id == id, cancellationToken);
        if (note is null)
        {
            return TypedResults.NotFound();
        }

        // Deleting is idempotent, so If-Match is honoured but not demanded.
        if (Precondition(ifMatch, note, required: false) is { } failed)
        {
            return failed;
        }

        db.Notes.Remove(note);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Changed();
        }

        return TypedResults.NoContent();
    }

    /// <summary>
    /// Optimistic concurrency: a writer proves it saw the current version, so two people editing the same note
    /// cannot silently overwrite each other (lost update).
    /// </summary>
    private static ProblemHttpResult? Precondition(string? ifMatch, Note note, bool required)
    {
        if (string.IsNullOrWhiteSpace(ifMatch))
        {
            return required
                ? TypedResults.Problem(
                    statusCode: StatusCodes.Status428PreconditionRequired,
                    title: "If-Match is required.",
                    detail: "Send the ETag from your last read of this note in If-Match.")
                : null;
        }

        return EntityTags.Matches(ifMatch, note) ? null : Changed();
    }

    private static async Task<Results<Ok<NoteResponse>, NotFound, ProblemHttpResult>> SaveAsync(
        NotesDbContext db, Note note, HttpResponse response, CancellationToken cancellationToken)
    {
        note.UpdatedAt = DateTimeOffset.UtcNow;
        note.Version++;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Another writer committed between our read and our write.
            return Changed();
        }

        response.Headers.ETag = EntityTags.For(note);
        return TypedResults.Ok(NoteResponse.From(note));
    }

    private static ProblemHttpResult Changed() => TypedResults.Problem(
        statusCode: StatusCodes.Status412PreconditionFailed,
        title: "The note has changed.",
        detail: "If-Match does not name the current version: read the note again and reapply the change.");

    internal static ValidationProblem InvalidCursor() => TypedResults.ValidationProblem(
        new Dictionary<string, string[]> { ["cursor"] = ["The cursor is not one this API returned."] });
}
