namespace SecureStack.Api.Data;

/// <summary>The stored note. Never bound from or returned to a client: requests and responses are DTOs in Models.</summary>
public sealed class Note
{
    /// <summary>A version 7 GUID: unguessable enough to not enumerate, and time-ordered for keyset paging.</summary>
    public Guid Id { get; set; }

    /// <summary>The caller's <c>sub</c>, or <c>client:{client_id}</c> for a client acting for itself.</summary>
    public required string OwnerId { get; set; }

    public required string Title { get; set; }

    public required string Body { get; set; }

    public List<string> Tags { get; set; } = [];

    /// <summary>
    /// Kept to whole microseconds, the precision PostgreSQL stores: the value a write returns is then the value
    /// every later read returns, on either provider.
    /// </summary>
    public DateTimeOffset CreatedAt { get; set => field = ToMicroseconds(value); }

    /// <inheritdoc cref="CreatedAt"/>
    public DateTimeOffset UpdatedAt { get; set => field = ToMicroseconds(value); }

    /// <summary>Incremented on every change; the concurrency token behind the ETag.</summary>
    public long Version { get; set; }

    private static DateTimeOffset ToMicroseconds(DateTimeOffset value) =>
        value.AddTicks(-(value.Ticks % TimeSpan.TicksPerMicrosecond));
}
