using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using SecureStack.Identity.Data;
using SecureStack.Identity.Options;

namespace SecureStack.Identity.Accounts;

/// <summary>
/// Creates the walk-through's demo user in Development only (the self-check refuses the setting elsewhere). Its
/// password comes from a secret parameter and is reset to it at a start where it changed, so the README stays true.
/// </summary>
internal sealed partial class DemoUserSeeder(
    IServiceScopeFactory scopeFactory,
    IOptions<TokenServerOptions> options,
    IHostEnvironment environment,
    ILogger<DemoUserSeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var demo = options.Value.DemoUser;
        if (!demo.IsConfigured || !environment.IsDevelopment())
        {
            return;
        }

        if (string.IsNullOrEmpty(demo.Password))
        {
            LogNoPassword(logger, TokenServerOptions.SectionName);
            return;
        }

        await using var scope = scopeFactory.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();

        foreach (var role in demo.Roles)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                Throw(await roles.CreateAsync(new IdentityRole(role)));
            }
        }

        var user = await users.FindByNameAsync(demo.UserName!);
        if (user is null)
        {
            user = new ApplicationUser { UserName = demo.UserName, Email = demo.UserName, EmailConfirmed = true };
            var accounts = scope.ServiceProvider.GetRequiredService<AccountCreation>();
            Throw(await accounts.CreateAsync(user, demo.Password, demo.Roles, cancellationToken));
            return;
        }

        // Only when it changed: a new password renews the security stamp, which ends the user's refresh tokens.
        if (!await users.CheckPasswordAsync(user, demo.Password))
        {
            Throw(await users.RemovePasswordAsync(user));
            Throw(await users.AddPasswordAsync(user, demo.Password));
        }

        foreach (var role in demo.Roles)
        {
            if (!await users.IsInRoleAsync(user, role))
            {
                Throw(await users.AddToRoleAsync(user, role));
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static void Throw(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(
                $"{TokenServerOptions.SectionName}:DemoUser could not be seeded: "
                + string.Join(" ", result.Errors.Select(error => error.Description)));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Section}:DemoUser:UserName is set but its Password is not: no demo user was created.")]
    private static partial void LogNoPassword(ILogger logger, string section);
}
