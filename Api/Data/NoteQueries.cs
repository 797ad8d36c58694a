using Microsoft.EntityFrameworkCore;
using SecureStack.Api.Models;

namespace SecureStack.Api.Data;

public static class NoteQueries
{
    /// <summary>The notes <paramref name="ownerId"/> owns, and only those: every per-owner read starts here.</summary>
    public static IQueryable<Note> OwnedBy(this IQueryable<Note> notes, string ownerId) =>
        notes.Where(note => note.OwnerId == ownerId);

    /// <summary>
    /// One page, newest first, by keyset on the version 7 id: the database reads at most <paramref name="size"/> + 1
    /// rows whatever the cursor, and a note created meanwhile neither repeats nor skips an item.
    /// </summary>
    public static async Task<Page<T>> ReadPageAsync<T>(
        this IQueryable<Note> notes, Guid? after, int size, Func<Note, T> map, CancellationToken cancellationToken)
    {
        if (after is { } lastId)
        {
            notes = notes.Where(note => note.Id < lastId);
        }

        var rows = await notes.OrderByDescending(note => note.Id).Take(size + 1).ToListAsync(cancellationToken);
        var next = rows.Count > size ? PageCursor.Encode(rows[size - 1].Id) : null;
        return new Page<T>([.. rows.Take(size).Select(map)], next);
    }
}
