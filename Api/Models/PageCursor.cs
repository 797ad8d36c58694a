using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;

namespace SecureStack.Api.Models;

/// <summary>
/// Keyset paging: the cursor is the id of the last note returned, base64url-encoded. It is opaque to clients,
/// fixed in size, and cannot make the database skip or scan more than one page.
/// </summary>
public static class PageCursor
{
    public static string Encode(Guid lastId) => Base64Url.EncodeToString(lastId.ToByteArray());

    public static bool TryDecode(string? cursor, [NotNullWhen(true)] out Guid? lastId)
    {
        lastId = null;
        if (cursor is not { Length: NoteLimits.CursorMaxLength })
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[16];
        if (!Base64Url.TryDecodeFromChars(cursor, bytes, out var written) || written != 16)
        {
            return false;
        }

        lastId = new Guid(bytes);
        return true;
    }
}
