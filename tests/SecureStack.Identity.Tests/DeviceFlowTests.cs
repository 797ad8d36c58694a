using System.Net;
using System.Text.Json;
using SecureStack.Identity.Tests.Infrastructure;

namespace SecureStack.Identity.Tests;

/// <summary>RFC 8628 end to end: the CLI asks for a code, the user approves it in a browser, the CLI polls.</summary>
public sealed class DeviceFlowTests(IdentityServerFactory factory)
{
    private const string Password = "a long and unusual passphrase 7";

    [Fact]
    public async Task DeviceFlowIssuesTokensOnceTheUserApproves()
    {
        var cli = factory.CreateClient();
        var device = await StartAsync(cli);

        var (pendingStatus, pending) = await PollAsync(cli, device.String("device_code"));
        var userName = await ApproveAsync(device.String("user_code"), DeviceApiDecision.Approve);
        var (status, tokens) = await PollAsync(cli, device.String("device_code"));

        Assert.Equal(HttpStatusCode.BadRequest, pendingStatus);
        Assert.Equal("authorization_pending", pending.String("error"));
        Assert.Equal(HttpStatusCode.OK, status);
        var access = OAuth.ReadJwt(tokens.String("access_token"));
        Assert.Equal(IdentityServerFactory.CliClientId, access.GetClaim("client_id").Value);
        Assert.Equal("securestack-api", Assert.Single(access.Audiences));
        Assert.False(string.IsNullOrEmpty(tokens.String("refresh_token")));
        Assert.Equal(userName, OAuth.ReadJwt(tokens.String("id_token")).GetClaim("name").Value);
    }

    [Fact]
    public async Task TheDeviceAuthorizationResponseSaysHowOftenToPoll()
    {
        var device = await StartAsync(factory.CreateClient());

        // RFC 8628 3.2: without it a client picks its own pace; the Gateway's per-device limit is sized for this one.
        Assert.True(device.TryGetProperty("interval", out var interval), $"no interval in {device}");
        Assert.Equal(JsonValueKind.Number, interval.ValueKind);
        Assert.Equal(5, interval.GetInt32());
    }

    [Fact]
    public async Task DeniedDeviceGetsAccessDenied()
    {
        var cli = factory.CreateClient();
        var device = await StartAsync(cli);

        await ApproveAsync(device.String("user_code"), DeviceApiDecision.Deny);
        var (status, body) = await PollAsync(cli, device.String("device_code"));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("access_denied", body.String("error"));
    }

    [Fact]
    public async Task VerificationPageRequiresASignedInUser()
    {
        var device = await StartAsync(factory.CreateClient());

        using var response = await factory.CreateBrowser().GetAsync("/connect/verify?user_code=" + Uri.EscapeDataString(device.String("user_code")), OAuth.Cancel);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account/login", OAuth.Absolute(response.Headers.Location!).AbsolutePath);
    }

    private enum DeviceApiDecision
    {
        Approve,
        Deny,
    }

    private static async Task<JsonElement> StartAsync(HttpClient cli)
    {
        var (status, device) = await OAuth.PostFormAsync(cli, "/connect/device", new Dictionary<string, string>
        {
            ["client_id"] = IdentityServerFactory.CliClientId,
            ["scope"] = "openid profile offline_access api.read",
        });
        Assert.True(status == HttpStatusCode.OK, $"device endpoint answered {status}: {device}");
        Assert.StartsWith("http://localhost/connect/verify", device.String("verification_uri"), StringComparison.Ordinal);
        return device;
    }

    private static Task<(HttpStatusCode Status, JsonElement Body)> PollAsync(HttpClient cli, string deviceCode) =>
        OAuth.TokenAsync(cli, new Dictionary<string, string>
        {
            ["grant_type"] = OAuth.DeviceCodeGrant,
            ["client_id"] = IdentityServerFactory.CliClientId,
            ["device_code"] = deviceCode,
        });

    /// <summary>The user, in a browser: sign in, open the verification page with the code, press a button.</summary>
    private async Task<string> ApproveAsync(string userCode, DeviceApiDecision decision)
    {
        var browser = factory.CreateBrowser();
        var userName = await OAuth.RegisterAsync(browser, Password);
        using var login = await OAuth.LoginAsync(browser, userName, Password);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);

        var page = await browser.GetStringAsync("/connect/verify?user_code=" + Uri.EscapeDataString(userCode), OAuth.Cancel);
        Assert.Contains("api.read", page, StringComparison.Ordinal);

        using var response = await browser.PostAsync("/connect/verify", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = OAuth.AntiforgeryToken(page),
            ["user_code"] = userCode,
            ["decision"] = decision == DeviceApiDecision.Approve ? "approve" : "deny",
        }), OAuth.Cancel);
        var body = await response.Content.ReadAsStringAsync(OAuth.Cancel);
        Assert.True(decision != DeviceApiDecision.Approve || response.StatusCode == HttpStatusCode.Redirect, $"verify answered {response.StatusCode}: {body}");
        return userName;
    }
}
