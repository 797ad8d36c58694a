using System.ComponentModel.DataAnnotations;

namespace SecureStack.ServiceDefaults.Authentication;

/// <summary>How the replicated list of revoked access tokens is kept (section <c>Revocation</c>), in every service.</summary>
public sealed class RevocationOptions
{
    public const string SectionName = "Revocation";

    /// <summary>
    /// How often each service reads the whole list from Redis on top of the pub/sub feed. Pub/sub delivers at most
    /// once, so a message lost without a disconnect is picked up by this resync at the latest.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:05", "00:05:00")]
    public TimeSpan ResyncInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The most live revocations held, in Redis and in each service's memory (about 200 bytes each). Every entry
    /// needs a token Identity issued and its own client revoking it, and lives at most an access-token lifetime,
    /// so reaching this takes thousands of revocations a minute; past it Identity answers 503 (event 4023).
    /// </summary>
    [Range(1_000, 10_000_000)]
    public int MaxEntries { get; set; } = 100_000;
}
