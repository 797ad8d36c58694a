using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace SecureStack.Identity.Data;

/// <summary>Users and roles (ASP.NET Core Identity) and OpenIddict's applications, scopes, authorizations and tokens.</summary>
public sealed class ApplicationDbContext(DbContextOptions<ApplicationDbContext> options)
    : IdentityDbContext<ApplicationUser>(options)
{
}
