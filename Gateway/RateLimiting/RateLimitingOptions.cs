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

    /// <summary>Largest <c>/connect/token</c> form body read to find the client or user name (brute-force partition).</summary>
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
}

public enum RateLimitPartitionBy
{
    /// <summary>The client IP (IPv6 by /64, which one subscriber usually holds whole).</summary>
    Ip,

    /// <summary>The token's <c>sub</c>, else its <c>client_id</c> (machine tokens), else the client IP.</summary>
    User,

    /// <summary>The token request's <c>username</c>, else its <c>client_id</c>, else the client IP.</summary>
    TokenClient,

    /// <summary>One partition for everybody: a cap on the whole route.</summary>
    Global,
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
