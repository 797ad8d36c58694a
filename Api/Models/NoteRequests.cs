using System.ComponentModel.DataAnnotations;

namespace SecureStack.Api.Models;

// Requests carry only what a client may set. Id, owner, timestamps and version are the server's: a client that
// sends them gets a 400 (unknown members are rejected), never a note it owns on someone else's behalf (API3).

public sealed record CreateNoteRequest(
    [property: Required, StringLength(NoteLimits.TitleMaxLength, MinimumLength = 1), SingleLineText] string Title,
    [property: Required(AllowEmptyStrings = true), StringLength(NoteLimits.BodyMaxLength)] string Body,
    [property: MaxLength(NoteLimits.MaxTags), Tags] IReadOnlyList<string>? Tags);

/// <summary>PUT replaces every client-settable field.</summary>
public sealed record ReplaceNoteRequest(
    [property: Required, StringLength(NoteLimits.TitleMaxLength, MinimumLength = 1), SingleLineText] string Title,
    [property: Required(AllowEmptyStrings = true), StringLength(NoteLimits.BodyMaxLength)] string Body,
    [property: Required, MaxLength(NoteLimits.MaxTags), Tags] IReadOnlyList<string> Tags);

/// <summary>PATCH changes the fields present; an absent (or null) field is left as it is.</summary>
public sealed record PatchNoteRequest(
    [property: StringLength(NoteLimits.TitleMaxLength, MinimumLength = 1), SingleLineText] string? Title,
    [property: StringLength(NoteLimits.BodyMaxLength)] string? Body,
    [property: MaxLength(NoteLimits.MaxTags), Tags] IReadOnlyList<string>? Tags);
