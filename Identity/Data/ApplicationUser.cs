using Microsoft.AspNetCore.Identity;

namespace SecureStack.Identity.Data;

public sealed class ApplicationUser : IdentityUser
{
}
