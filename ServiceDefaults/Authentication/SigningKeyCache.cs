using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace SecureStack.ServiceDefaults.Authentication;

/// <summary>
/// Identity's discovery document and signing keys, as JwtBearer sees them. Three promises, each a reliability
/// one: the last keys that loaded are kept for as long as Identity cannot be reached (a down Identity locks
/// nobody out); the key set is fetched again every <see cref="SecureStackJwtOptions.JwksAutomaticRefreshInterval"/>
/// (a key Identity withdraws stops validating within that time); a token naming an unknown key refreshes the set
/// at most once per <see cref="SecureStackJwtOptions.JwksRefreshInterval"/> (no hammering Identity). IdentityModel's
/// own ConfigurationManager cannot refresh more often than every five minutes and adds random jitter on top,
/// which would make an emergency key withdrawal take an unknown time.
/// </summary>
public sealed partial class SigningKeyCache : IConfigurationManager<OpenIdConnectConfiguration>
{
    /// <summary>How long a request waits for a load already under way before it is told to come back (503).</summary>
    private static readonly TimeSpan FirstLoadWait = TimeSpan.FromSeconds(5);

    private readonly string _metadataAddress;
    private readonly IDocumentRetriever _documents;
    private readonly SecureStackJwtOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SigningKeyCache> _logger;
    private readonly Lock _gate = new();

    private OpenIdConnectConfiguration? _current;
    private Task? _refresh;
    private long _lastLoadedTicks = DateTimeOffset.MinValue.UtcTicks;
    private DateTimeOffset _lastRequested = DateTimeOffset.MinValue;
    private bool _refreshRequestedBefore;
    private bool _failing;

    public SigningKeyCache(
        IOptions<SecureStackJwtOptions> options,
        IHttpClientFactory httpClientFactory,
        IHostEnvironment environment,
        TimeProvider time,
        ILogger<SigningKeyCache> logger)
    {
        _options = options.Value;
        _metadataAddress = _options.ResolveMetadataAddress();
        _documents = new AuthorityDocumentRetriever(httpClientFactory, _metadataAddress, _options.Authority,
            _options.ExpectedIssuer(), _options.RequiresHttpsMetadata(environment));
        _time = time;
        _logger = logger;
    }

    /// <summary>Whether keys have ever loaded: until then no token can be validated (readiness says so).</summary>
    public bool HasKeys => Volatile.Read(ref _current) is not null;

    /// <summary>Whether the last fetch failed, so the keys in use may be stale (Identity unreachable).</summary>
    public bool IsStale => Volatile.Read(ref _failing);

    /// <summary>When the keys now in use were fetched.</summary>
    public DateTimeOffset LastLoaded => new(Interlocked.Read(ref _lastLoadedTicks), TimeSpan.Zero);

    public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(CancellationToken cancel)
    {
        // Refreshing is the refresher's job, on its schedule: a slow or absent Identity never slows a request
        // that carries a valid token, and traffic never multiplies the fetches.
        if (Volatile.Read(ref _current) is { } current)
        {
            return current;
        }

        try
        {
            await RefreshAsync().WaitAsync(FirstLoadWait, _time, cancel);
        }
        catch (TimeoutException)
        {
        }

        return Volatile.Read(ref _current) ?? throw new SigningKeysUnavailableException();
    }

    /// <summary>
    /// A token named a key id the cache does not know: refresh, but only once per refresh interval, so a client
    /// spraying made-up key ids cannot turn its requests into requests to Identity. The first request is always
    /// honoured, as IdentityModel does, so a key published after start-up is found at once.
    /// </summary>
    public void RequestRefresh()
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (_refreshRequestedBefore && now - _lastRequested < _options.JwksRefreshInterval)
            {
                return;
            }

            _refreshRequestedBefore = true;
            _lastRequested = now;
        }

        _ = RefreshAsync();
    }

    /// <summary>Fetches discovery and JWKS once; concurrent callers share one fetch. Never throws.</summary>
    public Task RefreshAsync()
    {
        lock (_gate)
        {
            return _refresh ??= FetchAsync();
        }
    }

    private async Task FetchAsync()
    {
        try
        {
            // Off the caller's context and never cancelled by one request: the result is everyone's.
            await Task.Yield();
            var configuration = await OpenIdConnectConfigurationRetriever.GetAsync(_metadataAddress, _documents, CancellationToken.None);
            if (configuration.SigningKeys.Count == 0)
            {
                throw new InvalidOperationException("The key set has no signing keys.");
            }

            var previous = Volatile.Read(ref _current);
            Interlocked.Exchange(ref _lastLoadedTicks, _time.GetUtcNow().UtcTicks);
            Volatile.Write(ref _current, configuration);
            var keyIds = KeyIds(configuration);
            if (previous is null || _failing || keyIds != KeyIds(previous))
            {
                LogKeysLoaded(_logger, configuration.SigningKeys.Count, keyIds);
            }

            Volatile.Write(ref _failing, false);
        }
        catch (Exception exception)
        {
            // The type says enough (refused, timed out, bad document); messages carry internal addresses.
            if (!_failing)
            {
                LogRefreshFailed(_logger, exception.GetType().Name, _current?.SigningKeys.Count ?? 0);
            }

            Volatile.Write(ref _failing, true);
        }
        finally
        {
            lock (_gate)
            {
                _refresh = null;
            }
        }
    }

    private static string KeyIds(OpenIdConnectConfiguration configuration) =>
        string.Join(',', configuration.SigningKeys.Select(key => key.KeyId).Order(StringComparer.Ordinal));

    [LoggerMessage(EventId = SigningKeyLogEvents.KeysLoaded, Level = LogLevel.Information, Message = "Token signing keys loaded: {KeyCount} ({KeyIds})")]
    private static partial void LogKeysLoaded(ILogger logger, int keyCount, string keyIds);

    [LoggerMessage(EventId = SigningKeyLogEvents.RefreshFailed, Level = LogLevel.Warning,
        Message = "Token signing keys could not be fetched ({Reason}); validating with the {KeyCount} keys last loaded")]
    private static partial void LogRefreshFailed(ILogger logger, string reason, int keyCount);
}

/// <summary>
/// What operators alert on: keys (re)loaded after a change or an outage, and the start of an outage. (They were
/// 4020 and 4021 until the revocation security events took those ids: one id, one event.)
/// </summary>
public static class SigningKeyLogEvents
{
    public const int KeysLoaded = 4025;
    public const int RefreshFailed = 4026;
}

/// <summary>No signing keys have loaded yet (Identity unreachable since start-up): a token can be neither accepted nor refused.</summary>
public sealed class SigningKeysUnavailableException()
    : InvalidOperationException("Token signing keys are not available yet.");
