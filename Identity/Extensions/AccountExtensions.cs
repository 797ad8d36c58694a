using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SecureStack.Identity.Accounts;
using SecureStack.Identity.Data;
using SecureStack.Identity.Options;

namespace SecureStack.Identity.Extensions;

public static class AccountExtensions
{
    /// <summary>OWASP Password Storage Cheat Sheet minimum for PBKDF2-HMAC-SHA512 (the V3 format's PRF).</summary>
    public const int PasswordHashIterations = 210_000;

    /// <summary>ASP.NET Core Identity users, password policy, lockout, the login cookie and antiforgery.</summary>
    public static IHostApplicationBuilder AddAccounts(this IHostApplicationBuilder builder)
    {
        // Existing hashes with fewer iterations verify as SuccessRehashNeeded and are re-hashed on login.
        builder.Services.Configure<PasswordHasherOptions>(options =>
        {
            options.CompatibilityMode = PasswordHasherCompatibilityMode.IdentityV3;
            options.IterationCount = PasswordHashIterations;
        });

        builder.Services.AddIdentity<ApplicationUser, IdentityRole>(options =>
            {
                // Length over composition (NIST SP 800-63B); common passwords are refused by CommonPasswordValidator.
                options.Password.RequiredLength = 12;
                options.Password.RequireDigit = false;
                options.Password.RequireLowercase = false;
                options.Password.RequireUppercase = false;
                options.Password.RequireNonAlphanumeric = false;
                options.Password.RequiredUniqueChars = 1;

                // AccountLockout does the counting; these only keep Identity's own API consistent with it.
                options.Lockout.AllowedForNewUsers = true;
                options.Lockout.MaxFailedAccessAttempts = AccountLockout.AttemptsPerLockout;
                options.Lockout.DefaultLockoutTimeSpan = AccountLockout.FirstLockout;

                options.User.RequireUniqueEmail = true;
                options.SignIn.RequireConfirmedAccount = false;

                // OpenIddict's claim names, so the cookie principal and the token principal agree.
                options.ClaimsIdentity.UserNameClaimType = OpenIddict.Abstractions.OpenIddictConstants.Claims.Name;
                options.ClaimsIdentity.UserIdClaimType = OpenIddict.Abstractions.OpenIddictConstants.Claims.Subject;
                options.ClaimsIdentity.RoleClaimType = OpenIddict.Abstractions.OpenIddictConstants.Claims.Role;
                options.ClaimsIdentity.EmailClaimType = OpenIddict.Abstractions.OpenIddictConstants.Claims.Email;
            })
            .AddEntityFrameworkStores<ApplicationDbContext>()
            .AddPasswordValidator<CommonPasswordValidator>();

        // Secure outside Development, whatever the request's scheme looked like after a proxy: a cookie that can
        // travel over plain HTTP can be read or planted by a network attacker. Development keeps SameAsRequest for
        // the plain-HTTP walk-through; over HTTPS the flag is set there too.
        var securePolicy = builder.Environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;

        builder.Services.ConfigureApplicationCookie(options =>
        {
            options.Cookie.SecurePolicy = securePolicy;
            options.LoginPath = "/account/login";
            options.Cookie.Name = "__securestack_identity";
            options.Cookie.HttpOnly = true;
            // Lax, not Strict: the authorize redirect from a client's site must carry the session.
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.ExpireTimeSpan = TimeSpan.FromHours(1);
            options.SlidingExpiration = true;
        });

        builder.Services.AddAntiforgery(options =>
        {
            options.Cookie.Name = "__securestack_antiforgery";
            options.Cookie.SecurePolicy = securePolicy;
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Strict;
        });

        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());

        // A form that fails antiforgery or binding is the client's fault: 400 in every environment, not a
        // Development-only exception that the exception handler would turn into a 500.
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(options => options.ThrowOnBadRequest = false);

        builder.Services.AddOptions<RegistrationOptions>()
            .BindConfiguration(RegistrationOptions.SectionName)
            .PostConfigure<IHostEnvironment>((options, environment) => options.Enabled ??= environment.IsDevelopment())
            .ValidateOnStart();

        builder.Services.AddValidation();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddScoped<AccountLockout>();
        builder.Services.AddScoped<PasswordSignIn>();
        builder.Services.AddScoped<AccountCreation>();
        builder.Services.AddHostedService<DemoUserSeeder>();
        return builder;
    }
}
