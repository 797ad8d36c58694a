using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SecureStack.Identity.Data;
using SecureStack.Identity.Tests.Infrastructure;

namespace SecureStack.Identity.Tests;

// The data-layer tests again, unchanged, on PostgreSQL: registration, login and lockout (concurrent guessing included), client storage and
// token issue, refresh-token redemption, and the durability of registration. Migrations apply from empty when
// the server starts.
[Collection(PostgresCollection.Name)]
public sealed class AccountTestsOnPostgres(PostgresIdentityServerFactory factory) : AccountTests(factory);

[Collection(PostgresCollection.Name)]
public sealed class LockoutTestsOnPostgres(PostgresIdentityServerFactory factory) : LockoutTests(factory);

[Collection(PostgresCollection.Name)]
public sealed class ClientCredentialsTestsOnPostgres(PostgresIdentityServerFactory factory) : ClientCredentialsTests(factory);

[Collection(PostgresCollection.Name)]
public sealed class RefreshTokenTestsOnPostgres(PostgresIdentityServerFactory factory) : RefreshTokenTests(factory);

[Collection(PostgresCollection.Name)]
public sealed class RegistrationDurabilityTestsOnPostgres(PostgresIdentityServerFactory factory) : RegistrationDurabilityTests(factory);

/// <summary>A registration that loses the race for its address on another replica still gets the ordinary answer.</summary>
[Collection(PostgresCollection.Name)]
public sealed class LostRegistrationRaceTests(PostgresIdentityServerFactory factory)
{
    [Fact]
    public async Task ARegistrationThatLosesTheRaceForItsAddressGetsTheSameAnswerAndNoSecondAccount()
    {
        var client = factory.CreateClient();
        using var fresh = await client.PostAsJsonAsync("/account/register", new { email = $"fresh-{Guid.NewGuid():N}@example.test", password = Password }, OAuth.Cancel);
        var email = $"{PostgresIdentityServerFactory.LosingRacePrefix}{Guid.NewGuid():N}@example.test";

        using var lost = await client.PostAsJsonAsync("/account/register", new { email, password = Password }, OAuth.Cancel);

        Assert.Equal(HttpStatusCode.Accepted, lost.StatusCode);
        Assert.Equal(await fresh.Content.ReadAsStringAsync(OAuth.Cancel), await lost.Content.ReadAsStringAsync(OAuth.Cancel));
        await using var scope = factory.Services.CreateAsyncScope();
        var holders = await scope.ServiceProvider.GetRequiredService<ApplicationDbContext>().Users
            .Where(user => user.NormalizedEmail == email.ToUpperInvariant()).Select(user => user.UserName).ToListAsync(OAuth.Cancel);
        Assert.Equal(["winner-" + email], holders);
    }

    private const string Password = "a long and unusual passphrase 7";
}
