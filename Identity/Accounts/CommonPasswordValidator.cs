using System.Reflection;
using Microsoft.AspNetCore.Identity;
using SecureStack.Identity.Data;

namespace SecureStack.Identity.Accounts;

/// <summary>
/// NIST SP 800-63B / OWASP: no composition rules, but refuse passwords attackers try first. The list ships as
/// data inside the assembly (no network call at sign-up).
/// </summary>
public sealed class CommonPasswordValidator : IPasswordValidator<ApplicationUser>
{
    public const string ErrorCode = "CommonPassword";
    private const string ResourceName = "SecureStack.Identity.common-passwords.txt";

    private static readonly Lazy<HashSet<string>> CommonPasswords = new(Load);

    public static int Count => CommonPasswords.Value.Count;

    public Task<IdentityResult> ValidateAsync(UserManager<ApplicationUser> manager, ApplicationUser user, string? password)
    {
        if (password is null || !CommonPasswords.Value.Contains(password))
        {
            return Task.FromResult(IdentityResult.Success);
        }

        return Task.FromResult(IdentityResult.Failed(new IdentityError
        {
            Code = ErrorCode,
            Description = "This password appears on a list of commonly used passwords. Choose another.",
        }));
    }

    private static HashSet<string> Load()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing.");
        using var reader = new StreamReader(stream);
        var passwords = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0 && !line.StartsWith('#'))
            {
                passwords.Add(line);
            }
        }

        return passwords;
    }
}
