using System.ComponentModel.DataAnnotations;

namespace SecureStack.Api.Models;

/// <summary>
/// Text that renders on one line: not blank, no control characters (no CR/LF to forge log lines or headers,
/// no ANSI escapes to repaint a terminal).
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class SingleLineTextAttribute : ValidationAttribute
{
    public SingleLineTextAttribute()
        : base("The {0} field must contain visible text on a single line.")
    {
    }

    public override bool IsValid(object? value) =>
        value is not string text || (!string.IsNullOrWhiteSpace(text) && !text.Any(char.IsControl));
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
