using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;

namespace SecureStack.Security.Tests.Owasp;

/// <summary>
/// API7:2023 Server Side Request Forgery: nothing a caller sends (token headers, note content, forwarding
/// headers) makes a service open a connection to an address of the caller's choosing.
/// </summary>
[Collection(SecurityCollection.Name)]
public sealed class Api07ServerSideRequestForgeryTests(SecurityFixture fixture)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task API7_NoTokenHeaderOrRequestFieldMakesAServiceFetchAUrl()
    {
        var (header, payload) = Forge.Decode(await fixture.ServiceTokenAsync());
        using var attackerKey = RSA.Create(2048);
        header["kid"] = "attacker-key";
        header["jku"] = fixture.Attacker.Url("/jwks.json").ToString();
        header["x5u"] = fixture.Attacker.Url("/cert.pem").ToString();
        header["jwk"] = Forge.Jwk(attackerKey, "attacker-key");
        var forged = Forge.Rs256(header, payload, attackerKey);
        using var withForged = fixture.CreateGatewayClient(forged);
        using var withReal = fixture.CreateGatewayClient(await fixture.ServiceTokenAsync());
        var attackerUrl = fixture.Attacker.Url("/callback").ToString();

        using var forgedCall = await withForged.GetAsync("/api/v1/notes", Cancellation);
        using var noteWithUrl = await withReal.PostAsJsonAsync("/api/v1/notes", new { title = attackerUrl, body = attackerUrl, tags = new[] { "url" } }, Cancellation);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/notes");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Host", $"127.0.0.1:{fixture.Attacker.Url("/").Port}");
        request.Headers.TryAddWithoutValidation("X-Original-URL", attackerUrl);
        request.Headers.TryAddWithoutValidation("Referer", attackerUrl);
        using var withHeaders = await withReal.SendAsync(request, Cancellation);
        using var discovery = await withForged.GetAsync($"/.well-known/openid-configuration?jwks_uri={Uri.EscapeDataString(attackerUrl)}", Cancellation);

        // Give a fetch that was going to happen time to land.
        await Task.Delay(TimeSpan.FromSeconds(1), Cancellation);

        Assert.Equal(HttpStatusCode.Unauthorized, forgedCall.StatusCode);
        Assert.Equal(HttpStatusCode.Created, noteWithUrl.StatusCode);
        Assert.Equal(0, fixture.Attacker.Connections);
    }
}
