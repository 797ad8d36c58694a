using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using SecureStack.Identity.Data;
using SecureStack.Identity.Tests.Infrastructure;

namespace SecureStack.Identity.Tests;

/// <summary>F11: open self-registration is a switch (<c>Identity:Registration:Enabled</c>), off by default outside Development.</summary>
[Collection(OwnServerCollection.Name)]
public sealed class RegistrationSwitchTests
{
    private const string Password = "a long and unusual passphrase 7";

    private static readonly (string Base64, System.Security.Cryptography.X509Certificates.X509Certificate2 Public) Signing =
        TestCertificates.Create("signing", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(90));

    private static readonly (string Base64, System.Security.Cryptography.X509Certificates.X509Certificate2 Public) Encryption =
        TestCertificates.Create("encryption", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(90));

    [Fact]
    public async Task RegistrationIsRefusedWithANotFoundProblemWhenSwitchedOff()
    {
        await using var factory = new IdentityServerFactory(null, "Development", new Dictionary<string, string?> { ["Identity:Registration:Enabled"] = "false" });

        var email = $"closed-{Guid.NewGuid():N}@example.test";
        using var response = await factory.CreateClient().PostAsJsonAsync("/account/register", new { email, password = Password }, OAuth.Cancel);

        await SecurityBaseline.AssertSafeProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Null(await FindAsync(factory, email));
    }

    [Fact]
    public async Task RegistrationIsClosedByDefaultOutsideDevelopment()
    {
        await using var factory = new IdentityServerFactory(null, "Production", TestCertificates.ProductionSettings(Signing.Base64, Encryption.Base64));

        var email = $"closed-{Guid.NewGuid():N}@example.test";
        using var response = await HttpsClient(factory).PostAsJsonAsync("/account/register", new { email, password = Password }, OAuth.Cancel);

        await SecurityBaseline.AssertSafeProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Null(await FindAsync(factory, email));
    }

    [Fact]
    public async Task AnOperatorCanOpenRegistrationOutsideDevelopment()
    {
        var settings = TestCertificates.ProductionSettings(Signing.Base64, Encryption.Base64);
        settings["Identity:Registration:Enabled"] = "true";
        await using var factory = new IdentityServerFactory(null, "Production", settings);

        var email = $"open-{Guid.NewGuid():N}@example.test";
        using var response = await HttpsClient(factory).PostAsJsonAsync("/account/register", new { email, password = Password }, OAuth.Cancel);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.NotNull(await FindAsync(factory, email));
    }

    private static HttpClient HttpsClient(IdentityServerFactory factory) =>
        factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost/") });

    private static async Task<ApplicationUser?> FindAsync(IdentityServerFactory factory, string email)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync(email);
    }
}
