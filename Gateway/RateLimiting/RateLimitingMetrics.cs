using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace SecureStack.Gateway.RateLimiting;

/// <summary>
/// The <c>SecureStack.Gateway.RateLimiting</c> meter. Labels are policy names, partition kinds, outcomes and
/// sources only: never an address, token or user name, which would leak identities into the metrics store
/// and give every client its own time series.
/// </summary>
public sealed class RateLimitingMetrics
{
    public const string MeterName = "SecureStack.Gateway.RateLimiting";
    public const string DecisionsName = "securestack.gateway.rate_limit.decisions";
    public const string DecisionDurationName = "securestack.gateway.rate_limit.decision.duration";
    public const string FallbackTransitionsName = "securestack.gateway.rate_limit.fallback.transitions";

    private readonly Counter<long> _decisions;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _transitions;

    public RateLimitingMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _decisions = meter.CreateCounter<long>(DecisionsName, "{decision}", "Rate-limit decisions by policy, partition kind, outcome and source.");
        _duration = meter.CreateHistogram<double>(DecisionDurationName, "ms", "Time to reach a rate-limit decision.");
        _transitions = meter.CreateCounter<long>(FallbackTransitionsName, "{transition}", "Entering (state=entered) and leaving (state=left) the Redis fallback.");
    }

    internal void Decision(string policy, string partitionKind, bool admitted, DecisionSource source, TimeSpan elapsed)
    {
        var tags = new TagList
        {
            { "policy", policy },
            { "partition_kind", partitionKind },
            { "outcome", admitted ? "admitted" : "rejected" },
            { "source", source.Label() },
        };
        _decisions.Add(1, tags);
        _duration.Record(elapsed.TotalMilliseconds, new TagList { { "source", source.Label() } });
    }

    internal void FallbackEntered() => _transitions.Add(1, new KeyValuePair<string, object?>("state", "entered"));

    internal void FallbackLeft() => _transitions.Add(1, new KeyValuePair<string, object?>("state", "left"));
}

/// <summary>Who made a decision: Redis (shared by all replicas) or one of the fallbacks.</summary>
internal enum DecisionSource
{
    Redis,
    Local,
    Open,
    Closed,
}

internal static class DecisionSourceExtensions
{
    public static string Label(this DecisionSource source) => source switch
    {
        DecisionSource.Redis => "redis",
        DecisionSource.Local => "fallback-local",
        DecisionSource.Open => "fallback-open",
        _ => "fallback-closed",
    };
}
