using System.Collections;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SecureStack.ServiceDefaults.Security;

/// <summary>
/// Who the client of a request is, as this service trusts it. A service that resolves it its own way (the Gateway,
/// from its rate-limit trusted proxies) replaces the registration, so its security events name the same address
/// its limits count.
/// </summary>
public interface IClientAddressResolver
{
    IPAddress? Resolve(HttpContext context);
}

/// <summary>
/// The connection's address, which the forwarded-headers middleware has already replaced by the client's when,
/// and only when, the peer is a configured trusted proxy: a client's own <c>X-Forwarded-For</c> is never believed.
/// </summary>
internal sealed class ConnectionClientAddressResolver : IClientAddressResolver
{
    public IPAddress? Resolve(HttpContext context) => context.Connection.RemoteIpAddress is { IsIPv4MappedToIPv6: true } mapped
        ? mapped.MapToIPv4()
        : context.Connection.RemoteIpAddress;
}

/// <summary>
/// Adds <c>ClientAddress</c> to every record written through it, as a structured field beside the event's own, so
/// no event (including one added later) can leave it out. Outside a request it is <see cref="LogValue.Missing"/>.
/// </summary>
internal sealed class ClientAddressLogger(ILogger inner, IHttpContextAccessor requests, IClientAddressResolver addresses) : ILogger
{
    public const string FieldName = "ClientAddress";

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var address = requests.HttpContext is { } context ? addresses.Resolve(context)?.ToString() : null;
        inner.Log(logLevel, eventId, new WithClientAddress<TState>(state, address ?? LogValue.Missing), exception,
            (withAddress, error) => formatter(withAddress.State, error));
    }

    private sealed class WithClientAddress<TState>(TState state, string address) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        private readonly IReadOnlyList<KeyValuePair<string, object?>> _fields = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];

        public TState State => state;

        public int Count => _fields.Count + 1;

        // First, so the event's own fields keep their order and "{OriginalFormat}" stays last.
        public KeyValuePair<string, object?> this[int index] => index == 0 ? new(FieldName, address) : _fields[index - 1];

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            for (var index = 0; index < Count; index++)
            {
                yield return this[index];
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string? ToString() => state?.ToString();
    }
}
