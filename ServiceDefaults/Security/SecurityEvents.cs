using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SecureStack.ServiceDefaults.Security;

/// <summary>
/// The security-event log: every event has a fixed EventId (4000-4099) and structured fields, is written under
/// the <see cref="Category"/> category (so it can be routed and alerted on separately) and counted on the
/// <c>securestack.security.events</c> instrument, tagged by event name. It never takes a token, password or
/// secret, and client-supplied strings are neutralised (<see cref="LogValue.Sanitize"/>) so a client cannot
/// forge log lines. Every event also carries the <c>ClientAddress</c> field (<see cref="IClientAddressResolver"/>).
/// The trace id comes from the logging scope and the exporter.
/// </summary>
public sealed partial class SecurityEvents
{
    public const string Category = "SecureStack.Security";
    public const string MeterName = "SecureStack.Security";

    private readonly ILogger _logger;
    private readonly Counter<long> _events;

    /// <summary>Outside dependency injection (tests, tools): the address is the connection's.</summary>
    public SecurityEvents(ILoggerFactory loggerFactory, IMeterFactory meterFactory)
        : this(loggerFactory, meterFactory, new HttpContextAccessor(), new ConnectionClientAddressResolver())
    {
    }

    public SecurityEvents(ILoggerFactory loggerFactory, IMeterFactory meterFactory, IHttpContextAccessor requests, IClientAddressResolver addresses)
    {
        _logger = new ClientAddressLogger(loggerFactory.CreateLogger(Category), requests, addresses);
        _events = meterFactory.Create(MeterName).CreateCounter<long>(
            "securestack.security.events", unit: "{event}", description: "Security events by kind.");
    }

    public static class Ids
    {
        public static readonly EventId AuthenticationFailed = new(4001, nameof(AuthenticationFailed));
        public static readonly EventId AuthorizationDenied = new(4002, nameof(AuthorizationDenied));
        public static readonly EventId RateLimited = new(4003, nameof(RateLimited));
        public static readonly EventId CorsRejected = new(4004, nameof(CorsRejected));
        public static readonly EventId ValidationFailed = new(4005, nameof(ValidationFailed));
        public static readonly EventId TokenIssued = new(4006, nameof(TokenIssued));
        public static readonly EventId TokenRevoked = new(4007, nameof(TokenRevoked));
        public static readonly EventId LoginFailed = new(4008, nameof(LoginFailed));
        public static readonly EventId Lockout = new(4009, nameof(Lockout));
        public static readonly EventId RefreshTokenReplayed = new(4010, nameof(RefreshTokenReplayed));
        public static readonly EventId InsecureConfiguration = new(4011, nameof(InsecureConfiguration));

        // 4012 (the fail-open revocation lookup) is retired: the deny-list is replicated and no lookup can time out.
        public static readonly EventId RevocationNotPublished = new(4020, nameof(RevocationNotPublished));
        public static readonly EventId RevocationFeedLost = new(4021, nameof(RevocationFeedLost));
        public static readonly EventId RevocationFeedRestored = new(4022, nameof(RevocationFeedRestored));
        public static readonly EventId RevocationListFull = new(4023, nameof(RevocationListFull));
        public static readonly EventId RevocationRefused = new(4024, nameof(RevocationRefused));
        public static readonly EventId TokenRequestRefused = new(4030, nameof(TokenRequestRefused));
    }

    public void AuthenticationFailed(string scheme, string reason)
    {
        Count(Ids.AuthenticationFailed);
        LogAuthenticationFailed(_logger, LogValue.Sanitize(scheme), LogValue.Sanitize(reason));
    }

    public void AuthorizationDenied(string? subject, string? clientId, string path)
    {
        Count(Ids.AuthorizationDenied);
        LogAuthorizationDenied(_logger, LogValue.Sanitize(subject), LogValue.Sanitize(clientId), LogValue.Sanitize(path));
    }

    /// <param name="partitionKind">What the partition was keyed on (ip, subject, client), never its value.</param>
    public void RateLimited(string policy, string partitionKind, string path)
    {
        Count(Ids.RateLimited, new KeyValuePair<string, object?>("policy", policy));
        LogRateLimited(_logger, LogValue.Sanitize(policy), LogValue.Sanitize(partitionKind), LogValue.Sanitize(path));
    }

    public void CorsRejected(string? origin, string path)
    {
        Count(Ids.CorsRejected);
        LogCorsRejected(_logger, LogValue.Sanitize(origin), LogValue.Sanitize(path));
    }

    public void ValidationFailed(string path, int errorCount)
    {
        Count(Ids.ValidationFailed);
        LogValidationFailed(_logger, LogValue.Sanitize(path), errorCount);
    }

    public void TokenIssued(string? clientId, string? subject, string? scopes, string grantType)
    {
        Count(Ids.TokenIssued, new KeyValuePair<string, object?>("grant_type", grantType));
        LogTokenIssued(_logger, LogValue.Sanitize(clientId), LogValue.Sanitize(subject), LogValue.Sanitize(scopes), LogValue.Sanitize(grantType));
    }

    public void TokenRevoked(string? clientId, string? subject, string reason)
    {
        Count(Ids.TokenRevoked);
        LogTokenRevoked(_logger, LogValue.Sanitize(clientId), LogValue.Sanitize(subject), LogValue.Sanitize(reason));
    }

    /// <param name="userName">What the client typed; sanitised, logged to spot credential stuffing.</param>
    public void LoginFailed(string? userName, string reason)
    {
        Count(Ids.LoginFailed);
        LogLoginFailed(_logger, LogValue.Sanitize(userName), LogValue.Sanitize(reason));
    }

    public void Lockout(string subject, DateTimeOffset until)
    {
        Count(Ids.Lockout);
        LogLockout(_logger, LogValue.Sanitize(subject), until);
    }

    public void RefreshTokenReplayed(string? clientId, string? subject)
    {
        Count(Ids.RefreshTokenReplayed);
        LogRefreshTokenReplayed(_logger, LogValue.Sanitize(clientId), LogValue.Sanitize(subject));
    }

    /// <param name="reason">A fixed word (length-required, too-large, ...): why the Gateway could not read the form.</param>
    public void TokenRequestRefused(string reason, string path)
    {
        Count(Ids.TokenRequestRefused, new KeyValuePair<string, object?>("reason", reason));
        LogTokenRequestRefused(_logger, LogValue.Sanitize(reason), LogValue.Sanitize(path));
    }

    public void InsecureConfiguration(string finding)
    {
        Count(Ids.InsecureConfiguration);
        LogInsecureConfiguration(_logger, LogValue.Sanitize(finding, maxLength: 1024));
    }

    /// <summary>Identity revoked a token but could not tell the resource servers (they accept it until it expires).</summary>
    public void RevocationNotPublished(string? clientId, string kind, string reason)
    {
        Count(Ids.RevocationNotPublished);
        LogRevocationNotPublished(_logger, LogValue.Sanitize(clientId), LogValue.Sanitize(kind), LogValue.Sanitize(reason));
    }

    /// <summary>A service lost the revocation feed from Redis: it enforces the <paramref name="known"/> entries it has.</summary>
    public void RevocationFeedLost(string reason, int known)
    {
        Count(Ids.RevocationFeedLost);
        LogRevocationFeedLost(_logger, LogValue.Sanitize(reason), known);
    }

    public void RevocationFeedRestored(int known)
    {
        Count(Ids.RevocationFeedRestored);
        LogRevocationFeedRestored(_logger, known);
    }

    public void RevocationListFull(int entries)
    {
        Count(Ids.RevocationListFull);
        LogRevocationListFull(_logger, entries);
    }

    /// <summary>A client asked to revoke a token issued to another client (RFC 7009 §2.1): nothing was revoked.</summary>
    public void RevocationRefused(string? clientId, string reason)
    {
        Count(Ids.RevocationRefused);
        LogRevocationRefused(_logger, LogValue.Sanitize(clientId), LogValue.Sanitize(reason));
    }

    private void Count(EventId id, KeyValuePair<string, object?> extra = default)
    {
        var tags = new TagList { { "event", id.Name } };
        if (extra.Key is not null)
        {
            tags.Add(extra);
        }

        _events.Add(1, tags);
    }

    [LoggerMessage(EventId = 4001, EventName = "AuthenticationFailed", Level = LogLevel.Warning,
        Message = "Authentication failed for scheme {Scheme}: {Reason}")]
    private static partial void LogAuthenticationFailed(ILogger logger, string scheme, string reason);

    [LoggerMessage(EventId = 4002, EventName = "AuthorizationDenied", Level = LogLevel.Warning,
        Message = "Authorization denied for subject {Subject} client {ClientId} on {Path}")]
    private static partial void LogAuthorizationDenied(ILogger logger, string subject, string clientId, string path);

    [LoggerMessage(EventId = 4003, EventName = "RateLimited", Level = LogLevel.Warning,
        Message = "Rate limit {Policy} rejected a request partitioned by {PartitionKind} on {Path}")]
    private static partial void LogRateLimited(ILogger logger, string policy, string partitionKind, string path);

    [LoggerMessage(EventId = 4004, EventName = "CorsRejected", Level = LogLevel.Warning,
        Message = "CORS rejected origin {Origin} on {Path}")]
    private static partial void LogCorsRejected(ILogger logger, string origin, string path);

    [LoggerMessage(EventId = 4005, EventName = "ValidationFailed", Level = LogLevel.Information,
        Message = "Validation failed on {Path} with {ErrorCount} errors")]
    private static partial void LogValidationFailed(ILogger logger, string path, int errorCount);

    [LoggerMessage(EventId = 4006, EventName = "TokenIssued", Level = LogLevel.Information,
        Message = "Token issued to client {ClientId} for subject {Subject} with scopes {Scopes} by {GrantType}")]
    private static partial void LogTokenIssued(ILogger logger, string clientId, string subject, string scopes, string grantType);

    [LoggerMessage(EventId = 4007, EventName = "TokenRevoked", Level = LogLevel.Information,
        Message = "Token revoked for client {ClientId} subject {Subject}: {Reason}")]
    private static partial void LogTokenRevoked(ILogger logger, string clientId, string subject, string reason);

    [LoggerMessage(EventId = 4008, EventName = "LoginFailed", Level = LogLevel.Warning,
        Message = "Login failed for user name {UserName}: {Reason}")]
    private static partial void LogLoginFailed(ILogger logger, string userName, string reason);

    [LoggerMessage(EventId = 4009, EventName = "Lockout", Level = LogLevel.Warning,
        Message = "Account {Subject} locked out until {Until}")]
    private static partial void LogLockout(ILogger logger, string subject, DateTimeOffset until);

    [LoggerMessage(EventId = 4010, EventName = "RefreshTokenReplayed", Level = LogLevel.Error,
        Message = "Refresh token replay by client {ClientId} for subject {Subject}: token chain revoked")]
    private static partial void LogRefreshTokenReplayed(ILogger logger, string clientId, string subject);

    [LoggerMessage(EventId = 4030, EventName = "TokenRequestRefused", Level = LogLevel.Warning,
        Message = "Token request refused before it was counted ({Reason}) on {Path}: a form the rate limiter cannot read would escape its partitions")]
    private static partial void LogTokenRequestRefused(ILogger logger, string reason, string path);

    [LoggerMessage(EventId = 4011, EventName = "InsecureConfiguration", Level = LogLevel.Critical,
        Message = "Insecure configuration: {Finding}")]
    private static partial void LogInsecureConfiguration(ILogger logger, string finding);

    [LoggerMessage(EventId = 4020, EventName = "RevocationNotPublished", Level = LogLevel.Error,
        Message = "Revocation by client {ClientId} of a {Kind} not published to the resource servers ({Reason}): its access tokens are accepted until they expire")]
    private static partial void LogRevocationNotPublished(ILogger logger, string clientId, string kind, string reason);

    [LoggerMessage(EventId = 4021, EventName = "RevocationFeedLost", Level = LogLevel.Warning,
        Message = "Revocation feed from Redis lost ({Reason}): the {Known} known revocations stay enforced, new ones are not seen until it is back")]
    private static partial void LogRevocationFeedLost(ILogger logger, string reason, int known);

    [LoggerMessage(EventId = 4022, EventName = "RevocationFeedRestored", Level = LogLevel.Information,
        Message = "Revocation feed from Redis restored and the list resynchronised: {Known} revocations enforced")]
    private static partial void LogRevocationFeedRestored(ILogger logger, int known);

    [LoggerMessage(EventId = 4023, EventName = "RevocationListFull", Level = LogLevel.Error,
        Message = "Revocation list full at {Entries} entries: a new revocation was not recorded")]
    private static partial void LogRevocationListFull(ILogger logger, int entries);

    [LoggerMessage(EventId = 4024, EventName = "RevocationRefused", Level = LogLevel.Warning,
        Message = "Revocation refused for client {ClientId}: {Reason}")]
    private static partial void LogRevocationRefused(ILogger logger, string clientId, string reason);
}
