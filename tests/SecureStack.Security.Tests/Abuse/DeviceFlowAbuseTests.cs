using System.Net;
using System.Security.Cryptography;
using System.Text.Json;

namespace SecureStack.Security.Tests.Abuse;

/// <summary>
/// The device grant's polling (RFC 8628), attacked and used as specified. Attacker: anonymous, at an address of
/// its own, polling with junk device codes for the public CLI client. Target: a real device's polling budget.
/// Property: a device that polls at the interval Identity returned is never limited, whatever else polls for the
/// same client; one that polls faster is told to slow down (3.5), not refused with a 429 that ends its flow.
/// </summary>
[Collection(AbuseCollection.Name)]
public sealed class DeviceFlowAbuseTests(AbuseFixture fixture)
{
    private const string CliClient = "securestack-cli";
    private const string DeviceCodeGrant = "urn:ietf:params:oauth:grant-type:device_code";

    /// <summary>The finding: the 11th poll of a client polling every 5 s was refused. Well past it.</summary>
    private const int Polls = 13;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ADeviceClientPollingAtTheReturnedIntervalIsNeverLimited()
    {
        using var device = fixture.CreateGatewayClientFrom(fixture.NewClientAddress());
        using var attacker = fixture.CreateGatewayClientFrom(fixture.NewClientAddress());
        var authorization = await AuthorizeDeviceAsync(device);
        // RFC 8628 3.2: 5 seconds when the server says nothing.
        var interval = TimeSpan.FromSeconds(authorization.TryGetProperty("interval", out var value) ? value.GetInt32() : 5);
        var deviceCode = authorization.GetProperty("device_code").GetString()!;

        var junk = Task.WhenAll(Enumerable.Range(0, 20).Select(_ => PollAsync(attacker, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)))));
        var errors = new List<string>();
        for (var poll = 0; poll < Polls; poll++)
        {
            if (poll > 0)
            {
                await Task.Delay(interval, Cancellation);
            }

            var (status, error) = await PollAsync(device, deviceCode);
            errors.Add($"{(int)status} {error}");
        }

        await junk;
        // Nobody approved the device: pending, every time, never slow_down and never 429.
        Assert.All(errors, error => Assert.Equal("400 authorization_pending", error));
        Assert.True(authorization.TryGetProperty("interval", out _), $"no interval in {authorization}");
    }

    [Fact]
    public async Task ADeviceClientPollingFasterThanTheIntervalIsToldToSlowDownNotLimited()
    {
        using var device = fixture.CreateGatewayClientFrom(fixture.NewClientAddress());
        var deviceCode = (await AuthorizeDeviceAsync(device)).GetProperty("device_code").GetString()!;

        var errors = new List<string>();
        // More than the 15 a minute Redis admits plus the 7 a replica's own limiter could (the 75 ms budget's fallback).
        for (var poll = 0; poll < 25; poll++)
        {
            var (status, error) = await PollAsync(device, deviceCode);
            errors.Add($"{(int)status} {error}");
        }

        Assert.DoesNotContain(errors, error => error.StartsWith("429", StringComparison.Ordinal));
        Assert.Equal("400 authorization_pending", errors[0]);
        Assert.Equal("400 slow_down", errors[^1]);
    }

    private static async Task<JsonElement> AuthorizeDeviceAsync(HttpClient client)
    {
        using var response = await client.PostAsync("/connect/device", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = CliClient,
            ["scope"] = "openid offline_access api.read",
        }), Cancellation);
        var body = await response.Content.ReadAsStringAsync(Cancellation);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"device authorization: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static async Task<(HttpStatusCode Status, string? Error)> PollAsync(HttpClient client, string deviceCode)
    {
        using var response = await client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = DeviceCodeGrant,
            ["client_id"] = CliClient,
            ["device_code"] = deviceCode,
        }), Cancellation);
        var body = await response.Content.ReadAsStringAsync(Cancellation);
        using var json = JsonDocument.Parse(body.Length > 0 ? body : "{}");
        return (response.StatusCode, json.RootElement.TryGetProperty("error", out var error) ? error.GetString() : null);
    }
}
