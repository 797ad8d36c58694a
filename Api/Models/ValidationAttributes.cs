using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace SecureStack.Api.Models;

/// <summary>
/// Text that renders on one line, as it reads: not blank, no control characters (no CR/LF to forge log lines or
/// headers, no ANSI escapes to repaint a terminal), no line or paragraph separators (U+2028/2029 end a line in
/// JavaScript and in logs that escape only CR and LF), and no invisible format characters: bidi overrides and
/// isolates (Trojan Source, CVE-2021-42574: U+202E then "gnp.exe" shows as "exe.png"), marks, zero-width spaces, the BOM.
/// The two joiners stay: U+200C and U+200D are part of writing Persian and Indic scripts and of emoji sequences.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class SingleLineTextAttribute : ValidationAttribute
{
    private const char ZeroWidthNonJoiner = '\u200C';
    private const char ZeroWidthJoiner = '\u200D';

    public SingleLineTextAttribute()
        : base("The {0} field must contain visible text on a single line, without invisible or direction-changing characters.")
    {
    }

    public override bool IsValid(object? value) =>
        value is not string text || (!string.IsNullOrWhiteSpace(text) && !text.Any(IsRefused));

    private static bool IsRefused(char character) =>
        char.GetUnicodeCategory(character) switch
        {
            UnicodeCategory.Control or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator => true,
            UnicodeCategory.Format => character is not (ZeroWidthNonJoiner or ZeroWidthJoiner),
            _ => false,
        };
}

/// <summary>Each tag is 1-32 characters of lower-case letters, digits and inner hyphens, and appears once.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class TagsAttribute : ValidationAttribute
{
    public TagsAttribute()
        : base($"The {{0}} field must hold distinct tags of 1-{NoteLimits.TagMaxLength} characters: a-z, 0-9 and '-' inside.")
    {
    }

    public override bool IsValid(object? value) =>
        value is not IEnumerable<string?> tags
        || (tags.All(IsTag) && tags.Distinct(StringComparer.Ordinal).Count() == tags.Count());

    private static bool IsTag(string? tag) =>
        tag is { Length: > 0 and <= NoteLimits.TagMaxLength }
        && tag[0] != '-' && tag[^1] != '-'
        && tag.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-');
}
