using Microsoft.Extensions.Configuration;
using SecureStack.Gateway.RateLimiting;

namespace SecureStack.Gateway.Tests;

public sealed class RateLimitingOptionsTests
{
    [Fact]
    public void EveryConfigurationErrorIsReportedAtOnce()
    {
        var options = new RateLimitingOptions
        {
            TrustedProxies = ["not-an-address"],
            Policies =
            {
                ["token"] = new RateLimitPolicyOptions { PermitLimit = 0, AlsoApply = ["missing"] },
                ["bad name!"] = new RateLimitPolicyOptions { PermitLimit = 5, WindowSeconds = 0 },
            },
        };

        var result = new RateLimitingOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        Assert.Contains(failures, failure => failure.Contains("token:PermitLimit", StringComparison.Ordinal));
        Assert.Contains(failures, failure => failure.Contains("'missing'", StringComparison.Ordinal));
        Assert.Contains(failures, failure => failure.Contains("bad name!:WindowSeconds", StringComparison.Ordinal));
        Assert.Contains(failures, failure => failure.Contains("policy name may only contain", StringComparison.Ordinal));
        Assert.Contains(failures, failure => failure.Contains("not-an-address", StringComparison.Ordinal));
    }

    [Fact]
    public void TheShippedConfigurationIsValidAndSafe()
    {
        var options = ShippedOptions();

        Assert.True(new RateLimitingOptionsValidator().Validate(null, options).Succeeded);
        Assert.Empty(new RateLimitingSelfCheck(Microsoft.Extensions.Options.Options.Create(options)).FindInsecureSettings());
    }

    [Theory]
    [InlineData("token")]
    [InlineData("token-device")]
    [InlineData("token-account")]
    public void AnOpenFallbackOnATokenEndpointPolicyIsAnInsecureSetting(string policy)
    {
        var options = ShippedOptions();
        options.Policies[policy].Fallback = RateLimitFallback.Open;

        var findings = new RateLimitingSelfCheck(Microsoft.Extensions.Options.Options.Create(options)).FindInsecureSettings();

        Assert.Contains(findings, finding => finding.Contains($"{policy}:Fallback is Open", StringComparison.Ordinal));
    }

    [Fact]
    public void ATokenCredentialChainWithoutTheDevicePolicyIsRefusedAtStartUp()
    {
        // Device polls are left to the device policy: without it they would be counted by address only.
        var options = ShippedOptions();
        options.Policies["token"].ThenApply.Remove("token-device");

        var result = new RateLimitingOptionsValidator().Validate(null, options);

        Assert.Contains(result.Failures!, failure => failure.Contains("must also apply a TokenDeviceCode policy", StringComparison.Ordinal));
    }

    [Fact]
    public void SlowDownIsOnlyTheAnswerOfTheDevicePolicyAndChainsStayOneLevelDeep()
    {
        var options = ShippedOptions();
        options.Policies["token-ip"].Rejection = RateLimitRejection.SlowDown;
        options.Policies["token-account"].ThenApply.Add("missing");
        options.Policies["per-user"].ThenApply.Add("token");

        var failures = new RateLimitingOptionsValidator().Validate(null, options).Failures!.ToList();

        Assert.Contains(failures, failure => failure.Contains("token-ip:Rejection SlowDown", StringComparison.Ordinal));
        Assert.Contains(failures, failure => failure.Contains("token-account:ThenApply names 'missing'", StringComparison.Ordinal));
        Assert.Contains(failures, failure => failure.Contains("per-user:ThenApply names 'token', which applies other policies", StringComparison.Ordinal));
    }

    [Fact]
    public void TrustingEveryProxyIsAnInsecureSetting()
    {
        var options = ShippedOptions();
        options.TrustedProxies.Add("0.0.0.0/0");

        var findings = new RateLimitingSelfCheck(Microsoft.Extensions.Options.Options.Create(options)).FindInsecureSettings();

        Assert.Contains(findings, finding => finding.Contains("0.0.0.0/0", StringComparison.Ordinal) && finding.Contains("public address", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("0.0.0.0/1", "128.0.0.0/1")]
    [InlineData("8.0.0.0/7")]
    [InlineData("::ffff:0:0/96")]
    [InlineData("::/80")]
    [InlineData("2000::/3")]
    public void TrustedProxiesCoveringMoreThanASlash8OfPublicSpaceAreAnInsecureSetting(params string[] networks)
    {
        // Issue 14, F14: only /0 was refused, so two halves of the Internet passed; so did the IPv4-mapped range.
        var options = ShippedOptions();
        options.TrustedProxies.AddRange(networks);

        var findings = new RateLimitingSelfCheck(Microsoft.Extensions.Options.Options.Create(options)).FindInsecureSettings();

        Assert.Contains(findings, finding => finding.StartsWith("RateLimiting:TrustedProxies", StringComparison.Ordinal) && finding.Contains("public address", StringComparison.Ordinal));
    }

    [Fact]
    public void PrivateNetworksAndAProxyProvidersPublicRangesAreNotFindings()
    {
        var options = ShippedOptions();
        options.TrustedProxies.AddRange(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.1", "fc00::/7", "::1",
            "::ffff:10.0.0.0/104", "173.245.48.0/20", "104.16.0.0/13", "2400:cb00::/32", "2a06:98c0::/29"]);

        Assert.Empty(new RateLimitingSelfCheck(Microsoft.Extensions.Options.Options.Create(options)).FindInsecureSettings());
    }

    private static RateLimitingOptions ShippedOptions()
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"))
            .Build();
        var options = new RateLimitingOptions();
        configuration.GetSection(RateLimitingOptions.SectionName).Bind(options);
        Assert.NotEmpty(options.Policies);
        return options;
    }
}
