using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SecureStack.Identity.Data;
using SecureStack.Identity.Tests.Infrastructure;
using SecureStack.ServiceDefaults.Security;

namespace SecureStack.Identity.Tests;

/// <summary>
/// The Data Protection key ring (login cookie, antiforgery) lives in the database, so replicas share it, and it is
/// encrypted at rest outside Development.
/// </summary>
[Collection(OwnServerCollection.Name)]
public sealed class KeyRingTests(PostgresContainerFixture postgres)
{
    private const string Purpose = "SecureStack.Identity.Tests.KeyRing";

    private static readonly string Encryption =
        TestCertificates.Create("key ring", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(90)).Base64;

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task TwoInstancesWithTheirOwnDisksButOneDatabaseReadEachOthersPayloads(string provider)
    {
        var shared = IdentityServerFactory.NewDataPath();
        try
        {
            var database = provider == "Postgres"
                ? PostgresIdentityServerFactory.PostgresSettings(postgres)
                : new Dictionary<string, string?> { ["Database:ConnectionString"] = $"Data Source={Path.Combine(shared, "identity.db")}" };

            // Each instance has a data folder of its own (as each replica has its own disk); only the database is shared.
            await using var first = new IdentityServerFactory(dataPath: null, "Development", database);
            first.StartServer();
            var payload = first.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose).Protect("session of replica 1");
            await using var second = new IdentityServerFactory(dataPath: null, "Development", database);
            second.StartServer();

            var unprotected = second.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose).Unprotect(payload);

            Assert.Equal("session of replica 1", unprotected);
            Assert.NotEqual(first.DataPath, second.DataPath);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            IdentityServerFactory.TryDelete(shared);
        }
    }

    [Fact]
    public async Task OutsideDevelopmentEveryStoredKeyIsEncryptedWithTheConfiguredCertificate()
    {
        await using var factory = new IdentityServerFactory(null, "Production", TestCertificates.ProductionSettings(Encryption, Encryption));
        factory.StartServer();
        factory.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose).Protect("forces a key");

        await using var scope = factory.Services.CreateAsyncScope();
        var stored = await scope.ServiceProvider.GetRequiredService<ApplicationDbContext>().DataProtectionKeys.ToListAsync(OAuth.Cancel);

        Assert.NotEmpty(stored);
        Assert.All(stored, key =>
        {
            Assert.Contains("<EncryptedData", key.Xml, StringComparison.Ordinal);
            Assert.DoesNotContain("<masterKey", key.Xml, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task WithoutAKeyRingCertificateOutsideDevelopmentStartUpStopsSayingWhatToSet()
    {
        var settings = TestCertificates.ProductionSettings(Encryption, Encryption);
        settings.Remove("DataProtection:Certificates:0:Base64");
        settings.Remove("DataProtection:Certificates:0:Password");
        await using var factory = new IdentityServerFactory(null, "Production", settings);

        var failure = factory.StartupFailure<InsecureConfigurationException>();

        Assert.Contains("DataProtection:Certificates", failure.Message, StringComparison.Ordinal);
    }
}
