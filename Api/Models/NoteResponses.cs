using SecureStack.Api.Data;

namespace SecureStack.Api.Models;

/// <summary>A note as its owner sees it. The owner id is not echoed: the caller already knows who they are.</summary>
public sealed record NoteResponse(
    Guid Id,
    string Title,
    string Body,
    IReadOnlyList<string> Tags,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static NoteResponse From(Note note) =>
        new(note.Id, note.Title, note.Body, note.Tags, note.CreatedAt, note.UpdatedAt);
}

/// <summary>A note as an administrator sees it, across owners.</summary>
public sealed record AdminNoteResponse(
    Guid Id,
    string OwnerId,
    string Title,
    IReadOnlyList<string> Tags,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static AdminNoteResponse From(Note note) =>
        new(note.Id, note.OwnerId, note.Title, note.Tags, note.CreatedAt, note.UpdatedAt);
}

/// <summary>One page of results; <see cref="NextCursor"/> is null on the last page.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);
