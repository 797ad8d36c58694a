using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using SecureStack.Identity.Data;

namespace SecureStack.Identity.Tests.Infrastructure;

/// <summary>
/// The same Development server on PostgreSQL (a fresh database in the shared container) instead of SQLite, for
/// the tests that exercise the data layer on both providers.
/// </summary>
public sealed class PostgresIdentityServerFactory(PostgresContainerFixture postgres)
    : IdentityServerFactory(dataPath: null, environment: "Development", PostgresSettings(postgres))
{
    /// <summary>A registration whose user name starts with this loses a race it cannot see (see <see cref="LosingRaceValidator"/>).</summary>
    public const string LosingRacePrefix = "lost-race-";

    public static Dictionary<string, string?> PostgresSettings(PostgresContainerFixture postgres) => new()
    {
        ["Database:Provider"] = "Postgres",
        ["Database:ConnectionString"] = postgres.NewDatabase("identity"),
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddScoped<IUserValidator<ApplicationUser>, LosingRaceValidator>());
    }

    /// <summary>
    /// Runs after Identity's own checks (the address is free) and before the insert: another registration of the
    /// same address, under another user name, is stored and committed in between, exactly as a concurrent request
    /// on another replica would. Only PostgreSQL allows that interleaving (SQLite serialises the writers).
    /// </summary>
    private sealed class LosingRaceValidator(IServiceScopeFactory scopes) : IUserValidator<ApplicationUser>
    {
        public async Task<IdentityResult> ValidateAsync(UserManager<ApplicationUser> manager, ApplicationUser user)
        {
            if (user.UserName?.StartsWith(LosingRacePrefix, StringComparison.Ordinal) == true && user.Id is { } id && await manager.FindByIdAsync(id) is null)
            {
                await using var scope = scopes.CreateAsyncScope();
                var winner = new ApplicationUser { UserName = "winner-" + user.UserName, Email = user.Email };
                var result = await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>()
                    .CreateAsync(winner, "the winner's long passphrase 1");
                if (!result.Succeeded)
                {
                    throw new InvalidOperationException(string.Join(" ", result.Errors.Select(error => error.Description)));
                }
            }

            return IdentityResult.Success;
        }
    }
}

/// <summary>The tests that run again on PostgreSQL share one server; they register their own users.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresIdentityServerFactory>
{
    public const string Name = "Identity on PostgreSQL";
}
