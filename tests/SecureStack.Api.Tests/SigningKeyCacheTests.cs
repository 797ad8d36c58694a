using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;
using SecureStack.Api.Tests.Infrastructure;
using SecureStack.ServiceDefaults.Authentication;

namespace SecureStack.Api.Tests;

/// <summary>Signing keys are cached; an unknown key id refreshes them, but at most once per refresh interval.</summary>
[Collection(SerialCollection.Name)]
public sealed class SigningKeyCacheTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task KeysAreFetchedOnceForManyRequests()
    {
        await using var factory = new ApiFactory();
        using var client = factory.CreateClient(new TokenSpec());

        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(Routes.Notes, Cancel)).StatusCode);
        }

        Assert.Equal(1, factory.Issuer.DiscoveryRequests);
        Assert.Equal(1, factory.Issuer.JwksRequests);
    }

    [Fact]
    public async Task RotatedSigningKeyIsPickedUpWithOneRefresh()
    {
        await using var factory = new ApiFactory();
        using (var before = factory.CreateClient(new TokenSpec()))
        {
            Assert.Equal(HttpStatusCode.OK, (await before.GetAsync(Routes.Notes, Cancel)).StatusCode);
        }

        factory.Issuer.RotateKey("test-key-2");
        using var after = factory.CreateClient(new TokenSpec());

        // The unknown kid triggers a key refresh, which IdentityModel may finish in the background: the first
        // request can still fail, a later one passes once the new key set is in.
        var status = HttpStatusCode.Unauthorized;
        var attempt = 0;
        var stopwatch = Stopwatch.StartNew();
        for (; attempt < 50 && status != HttpStatusCode.OK; attempt++)
        {
            status = (await after.GetAsync(Routes.Notes, Cancel)).StatusCode;
            if (status != HttpStatusCode.OK)
            {
                await Task.Delay(100, Cancel);
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"Rotated key accepted on attempt {attempt} after {stopwatch.ElapsedMilliseconds} ms.");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, factory.Issuer.JwksRequests);
    }

    /// <summary>
    /// Fault: Identity unreachable for the longest access-token lifetime (15 minutes, on a fake clock the key cache
    /// runs on). Promise: the cached keys are never dropped, so a token issued before the outage is accepted all
    /// along; readiness says Degraded; Identity is retried on a schedule, not hammered.
    /// </summary>
    [Fact]
    public async Task CachedKeysOutliveAnAccessTokenLifetimeOfIdentityBeingDown()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var factory = new FakeClockApiFactory(clock);
        using var client = factory.CreateClient(new TokenSpec());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(Routes.Notes, Cancel)).StatusCode);

        factory.Issuer.Unreachable = true;
        var outage = TimeSpan.FromMinutes(15);
        var step = TimeSpan.FromSeconds(30);
        for (var elapsed = TimeSpan.Zero; elapsed < outage; elapsed += step)
        {
            clock.Advance(step);
            // Real time for the refresher to run the retry this step made due (it fails at once: the issuer is down).
            await Task.Delay(50, Cancel);
        }

        var status = (await client.GetAsync(Routes.Notes, Cancel)).StatusCode;
        var health = await factory.Services.GetRequiredService<HealthCheckService>()
            .CheckHealthAsync(check => check.Name == SigningKeysHealthCheck.Name, Cancel);
        TestContext.Current.TestOutputHelper?.WriteLine($"{outage.TotalMinutes} simulated minutes without Identity: {factory.Issuer.FailedRequests} failed fetches, token answered {(int)status}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(HealthStatus.Degraded, health.Status);
        // Retried all along, at most once per clock step here (every 5 s at most), never once per request.
        Assert.InRange(factory.Issuer.FailedRequests, 3, (int)(outage / step) + 2);
    }

    [Fact]
    public async Task UnknownKeyIdsCannotMakeTheApiHammerIdentity()
    {
        await using var factory = new ApiFactory();
        using (var warmUp = factory.CreateClient(new TokenSpec()))
        {
            Assert.Equal(HttpStatusCode.OK, (await warmUp.GetAsync(Routes.Notes, Cancel)).StatusCode);
        }

        const int Sprayed = 50;
        using var rsa = RSA.Create(2048);
        var tokens = Enumerable.Range(0, Sprayed).Select(i => factory.Issuer.CreateToken(new TokenSpec
        {
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(rsa) { KeyId = $"sprayed-{i}" }, SecurityAlgorithms.RsaSha256),
        })).ToList();
        var fetchesBefore = factory.Issuer.JwksRequests;
        var stopwatch = Stopwatch.StartNew();
        foreach (var token in tokens)
        {
            using var client = factory.CreateClient(token);
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync(Routes.Notes, Cancel)).StatusCode);

            // Spread over a few seconds, so a refresh bound of a second or two would show as several fetches.
            await Task.Delay(50, Cancel);
        }

        stopwatch.Stop();
        var refreshes = factory.Issuer.JwksRequests - fetchesBefore;
        TestContext.Current.TestOutputHelper?.WriteLine($"{Sprayed} unknown-kid tokens caused {refreshes} JWKS fetch(es) in {stopwatch.ElapsedMilliseconds} ms.");
        Assert.InRange(refreshes, 0, 1);
    }
}

/// <summary>The Api with the key cache's clock under the test's control (token lifetimes keep the real clock).</summary>
internal sealed class FakeClockApiFactory(FakeTimeProvider clock) : ApiFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(clock));
    }
}
