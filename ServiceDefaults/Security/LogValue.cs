using System.Text;

namespace SecureStack.ServiceDefaults.Security;

/// <summary>Makes client-supplied strings safe to log.</summary>
public static class LogValue
{
    public const string Missing = "-";

    /// <summary>
    /// Escapes control characters (CR, LF, ANSI escapes ...) so a value cannot start a forged log line or
    /// repaint a terminal, and truncates it so a client cannot flood the log.
    /// </summary>
    public static string Sanitize(string? value, int maxLength = 256)
    {
        if (string.IsNullOrEmpty(value))
        {
            return Missing;
        }

        var builder = new StringBuilder(Math.Min(value.Length, maxLength) + 8);
        foreach (var character in value)
        {
            if (builder.Length >= maxLength)
            {
                builder.Append('…');
                break;
            }

            if (char.IsControl(character) || character is '\u2028' or '\u2029')
            {
                builder.Append(@"\u").Append(((int)character).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(character);
            }
        }

        return builder.ToString();
    }
}
