using Microsoft.Extensions.DependencyInjection;
using SecureStack.Identity.Tests.Infrastructure;
using SecureStack.ServiceDefaults.Security;

namespace SecureStack.Identity.Tests;

public sealed class SecuritySelfCheckTests(IdentityServerFactory factory)
{
    [Fact]
    public void DevelopmentShortcutsAreReportedAsFindingsThatNameTheSetting()
    {
        var findings = factory.Services.GetRequiredService<SecuritySelfCheckRunner>().Findings;

        Assert.Contains(findings, finding => finding.StartsWith("Identity:AllowPasswordGrant", StringComparison.Ordinal));
        Assert.Contains(findings, finding => finding.StartsWith("Identity:Keys:SigningCertificates", StringComparison.Ordinal));
        Assert.Contains(findings, finding => finding.StartsWith("Identity:Keys:EncryptionCertificates", StringComparison.Ordinal));
        Assert.Contains(findings, finding => finding.StartsWith("Identity:DisableTransportSecurityRequirement", StringComparison.Ordinal));
        Assert.Contains(findings, finding => finding.StartsWith("Identity:DemoUser", StringComparison.Ordinal));
    }
}
