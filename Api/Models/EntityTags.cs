using Microsoft.Net.Http.Headers;
using SecureStack.Api.Data;

namespace SecureStack.Api.Models;

/// <summary>Strong ETags from a note's version, and the RFC 9110 If-Match test.</summary>
public static class EntityTags
{
    public static string For(Note note) => $"\"{note.Version}\"";

    /// <summary>
    /// True when an If-Match header names the note's current version (or is <c>*</c>). If-Match uses strong
    /// comparison, so a weak tag never matches.
    /// </summary>
    public static bool Matches(string ifMatch, Note note)
    {
        if (ifMatch.Trim() == "*")
        {
            return true;
        }

        if (!EntityTagHeaderValue.TryParseList([ifMatch], out var tags))
        {
            return false;
        }

        var current = new EntityTagHeaderValue(For(note));
        return tags.Any(tag => tag.Compare(current, useStrongComparison: true));
    }
}
