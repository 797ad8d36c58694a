using System.Net;
using System.Net.Sockets;

namespace SecureStack.Security.Tests;

/// <summary>
/// A TCP listener on loopback that only counts connections. Forged tokens point their <c>jku</c>, <c>x5u</c> and
/// similar headers here; if any service ever dereferenced one (SSRF, or trusting attacker-supplied keys), the
/// count would show it, whatever the protocol.
/// </summary>
public sealed class AttackerServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private int _connections;

    public int Connections => Volatile.Read(ref _connections);

    public Uri Url(string path) => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}{path}");

    public void Start()
    {
        _listener.Start();
        _ = AcceptAsync();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                Interlocked.Increment(ref _connections);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException)
            {
                return;
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }
}
