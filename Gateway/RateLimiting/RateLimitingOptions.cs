using System.ComponentModel.DataAnnotations;

namespace SecureStack.Gateway.RateLimiting;

/// <summary>
/// The <c>RateLimiting</c> section: distributed limits shared by every Gateway replica through Redis, and how
/// each policy behaves when Redis cannot answer in time. Routes name a policy with YARP's <c>RateLimiterPolicy</c>.
/// </summary>
public sealed class RateLimitingOptions
{
    public const string SectionName = "RateLimiting";

    /// <summary>Prefix of every Redis key, so environments or stacks can share one Redis without sharing counters.</summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9:_.-]{1,64}$")]
    public string KeyPrefix { get; set; } = "securestack:gateway";

    /// <summary>
    /// How long a request may wait for Redis's decision. Past it the policy's fallback decides, so a slow Redis
    /// adds at most this much latency instead of holding requests for the client's multi-second timeouts.
    /// </summary>
    [Range(10, 1000)]
    public int DecisionBudgetMilliseconds { get; set; } = 75;

    /// <summary>How many Gateway replicas share the limits; a <c>Local</c> fallback allows limit ÷ this per replica.</summary>
    [Range(1, 1000)]
    public int ExpectedReplicas { get; set; } = 2;

    /// <summary>Share of failed Redis decisions within the sampling duration that opens the circuit.</summary>
    [Range(0.01, 1.0)]
    public double BreakerFailureRatio { get; set; } = 0.5;

    [Range(2, 1000)]
    public int BreakerMinimumThroughput { get; set; } = 4;

    [Range(1, 600)]
    public int BreakerSamplingSeconds { get; set; } = 10;

    /// <summary>How long the circuit stays open before one request probes Redis again (recovery is automatic).</summary>
    [Range(1, 600)]
    public int BreakerBreakSeconds { get; set; } = 5;

    /// <summary>
    /// Addresses or CIDR networks of reverse proxies in front of the Gateway whose <c>X-Forwarded-For</c> is
    /// believed. Empty (the default): the client is the TCP peer, whatever headers it sends.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];

    /// <summary>
    /// Largest <c>/connect/token</c> form body the Gateway reads to find the request's partitions. A token request
    /// it cannot read (larger, no Content-Length, not a plain UTF-8 form, too many or too long fields, a
    /// repeated parameter) is refused: it would otherwise escape the partitions the form names.
    /// </summary>
    [Range(256, 65536)]
    public int MaxTokenRequestBodyBytes { get; set; } = 8192;

    public Dictionary<string, RateLimitPolicyOptions> Policies { get; set; } = new(StringComparer.Ordinal);
}

public sealed class RateLimitPolicyOptions
{
    public RateLimitPartitionBy PartitionBy { get; set; } = RateLimitPartitionBy.Ip;

    public RateLimitAlgorithm Algorithm { get; set; } = RateLimitAlgorithm.FixedWindow;

    /// <summary>Requests per window (fixed window) or requests in flight (concurrency), across all replicas.</summary>
    public int PermitLimit { get; set; }

    public int WindowSeconds { get; set; } = 60;

    public RateLimitFallback Fallback { get; set; } = RateLimitFallback.Local;

    /// <summary>Other policies checked before this one on the same request (e.g. per IP, then per client).</summary>
    public List<string> AlsoApply { get; set; } = [];

    /// <summary>
    /// Other policies checked after this one admitted the request: a cap that only requests the finer limits let
    /// through should count against (e.g. per account, after per account and address).
    /// </summary>
    public List<string> ThenApply { get; set; } = [];

    /// <summary>How a request over this policy's limit is answered.</summary>
    public RateLimitRejection Rejection { get; set; } = RateLimitRejection.TooManyRequests;
}

public enum RateLimitPartitionBy
{
    /// <summary>The client IP (IPv6 by /64, which one subscriber usually holds whole).</summary>
    Ip,

    /// <summary>The token's <c>sub</c>, else its <c>client_id</c> (machine tokens), else the client IP.</summary>
    User,

    /// <summary>
    /// What a <c>/connect/token</c> request presents that an attacker cannot choose for someone else: the user
    /// name together with the client address (password grant), the client id together with the client address
    /// (a client secret is presented), a digest of the refresh token or authorization code, else the client id
    /// and address, else the address. Device polls are not counted here but by <see cref="TokenDeviceCode"/>,
    /// which the same chain must apply.
    /// </summary>
    TokenCredential,

    /// <summary>A password grant's case-folded user name, whatever the address: a per-account cap. Other requests are not counted.</summary>
    TokenUserName,

    /// <summary>A device poll's device code (by digest): one device's polls. Other requests are not counted.</summary>
    TokenDeviceCode,

    /// <summary>One partition for everybody: a cap on the whole route.</summary>
    Global,
}

public static class RateLimitPartitionByExtensions
{
    /// <summary>Partitions chosen by the <c>/connect/token</c> form.</summary>
    public static bool IsTokenRequest(this RateLimitPartitionBy partitionBy) =>
        partitionBy is RateLimitPartitionBy.TokenCredential or RateLimitPartitionBy.TokenUserName or RateLimitPartitionBy.TokenDeviceCode;
}

public enum RateLimitRejection
{
    /// <summary>429 ProblemDetails with Retry-After.</summary>
    TooManyRequests,

    /// <summary>
    /// The device grant's <c>slow_down</c> error (RFC 8628 3.5: 400, OAuth error JSON): the client adds five
    /// seconds to its polling interval and carries on, where a 429 would end its flow.
    /// </summary>
    SlowDown,
}

public enum RateLimitAlgorithm
{
    FixedWindow,
    Concurrency,
}

public enum RateLimitFallback
{
    /// <summary>An in-process limiter at limit ÷ ExpectedReplicas: the total stays near the limit.</summary>
    Local,

    /// <summary>Admit everything (counted and logged): availability over protection.</summary>
    Open,

    /// <summary>Refuse with 503 and Retry-After: protection over availability.</summary>
    Closed,
}
