using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;
using SecureStack.Api.Tests.Infrastructure;

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
