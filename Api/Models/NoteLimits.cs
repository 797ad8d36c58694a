namespace SecureStack.Api.Models;

/// <summary>Every size bound in one place: the validation attributes, the schema and the paging code use these.</summary>
public static class NoteLimits
{
    public const int TitleMaxLength = 200;
    public const int BodyMaxLength = 8000;
    public const int MaxTags = 10;
    public const int TagMaxLength = 32;
    public const int OwnerIdMaxLength = 200;

    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;

    /// <summary>A cursor is 16 bytes, base64url: 22 characters. Anything longer is not ours.</summary>
    public const int CursorMaxLength = 22;
}
