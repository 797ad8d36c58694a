using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Security.Authentication;
using Microsoft.Extensions.Hosting;

namespace SecureStack.ServiceDefaults.Tests.Baseline;

/// <summary>
/// Real TLS handshakes against Kestrel (issue 14, hardening): TLS 1.2 only with AEAD suites and forward secrecy.
/// The CBC-SHA2 suites were on; CBC in TLS 1.2 is where padding-oracle attacks (Lucky Thirteen) live.
/// A client that offers a single suite shows which ones the server accepts.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class TlsTests
{
    [Theory]
    [InlineData(TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256)]
    [InlineData(TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384)]
    [InlineData(TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA)]
    [InlineData(TlsCipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256)]
    public async Task ATls12SuiteWithoutAeadOrForwardSecrecyIsRefused(TlsCipherSuite suite)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "Kestrel takes a cipher-suite policy on Linux only.");
        await using var app = await BaselineApp.StartAsync(Environments.Production);

        var handshake = await Assert.ThrowsAnyAsync<Exception>(() => HandshakeAsync(app, SslProtocols.Tls12, suite));

        Assert.True(handshake is AuthenticationException or IOException, handshake.ToString());
    }

    [Theory]
    [InlineData(SslProtocols.Tls12, TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)]
    [InlineData(SslProtocols.Tls12, TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384)]
    [InlineData(SslProtocols.Tls12, TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256)]
    [InlineData(SslProtocols.Tls13, TlsCipherSuite.TLS_AES_128_GCM_SHA256)]
    [InlineData(SslProtocols.Tls13, TlsCipherSuite.TLS_AES_256_GCM_SHA384)]
    public async Task AnAeadSuiteWithForwardSecrecyIsAccepted(SslProtocols protocol, TlsCipherSuite suite)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "Kestrel takes a cipher-suite policy on Linux only.");
        await using var app = await BaselineApp.StartAsync(Environments.Production);

        var negotiated = await HandshakeAsync(app, protocol, suite);

        Assert.Equal(suite, negotiated);
    }

    private static async Task<TlsCipherSuite> HandshakeAsync(BaselineApp app, SslProtocols protocol, TlsCipherSuite suite)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(app.Address.Host, app.Address.Port, TestContext.Current.CancellationToken);
        await using var tls = new SslStream(tcp.GetStream());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = app.Address.Host,
            EnabledSslProtocols = protocol,
            CipherSuitesPolicy = new CipherSuitesPolicy([suite]),
            RemoteCertificateValidationCallback = (_, presented, _, _) => app.PresentsItsOwnCertificate(presented),
        }, TestContext.Current.CancellationToken);
        return tls.NegotiatedCipherSuite;
    }
}
