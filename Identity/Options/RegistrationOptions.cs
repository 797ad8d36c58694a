namespace SecureStack.Identity.Options;

/// <summary>The <c>Identity:Registration</c> section: whether anyone may create an account at <c>/account/register</c>.</summary>
public sealed class RegistrationOptions
{
    public const string SectionName = "Identity:Registration";

    /// <summary>
    /// Open self-registration. Unset: on in Development (the walk-through registers users), off elsewhere, because
    /// addresses are not confirmed yet (the sign-in issue adds confirmation): anyone could create accounts in bulk
    /// or in other people's names. An operator who wants it open says so.
    /// </summary>
    public bool? Enabled { get; set; }
}
