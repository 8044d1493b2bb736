using FunctionsGateway.Telemetry;

namespace FunctionsGateway.RateLimiting;

/// <summary>
/// The storage operations the rate limiter made on its counters since start, by kind: each is also counted in
/// the metric <c>gateway.ratelimit.store_operations</c> with the dimension <c>operation</c> (<c>read</c>,
/// <c>write</c>, <c>conflict</c>, <c>delete</c>); the status listing shows the totals.
/// </summary>
internal sealed class RateLimitStoreOperations
{
    private long _reads;
    private long _writes;
    private long _conflicts;
    private long _deletes;

    /// <summary>Rows read.</summary>
    public long Reads => Interlocked.Read(ref _reads);

    /// <summary>Inserts and conditional updates that succeeded (or failed other than by a conflict).</summary>
    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>Inserts and conditional updates refused because another write came first.</summary>
    public long Conflicts => Interlocked.Read(ref _conflicts);

    /// <summary>Old rows removed.</summary>
    public long Deletes => Interlocked.Read(ref _deletes);

    /// <summary>All operations.</summary>
    public long Total => Reads + Writes + Conflicts + Deletes;

    public void Read() => Count(ref _reads, "read");

    public void Wrote() => Count(ref _writes, "write");

    public void Conflicted() => Count(ref _conflicts, "conflict");

    public void Deleted() => Count(ref _deletes, "delete");

    private static void Count(ref long total, string operation)
    {
        Interlocked.Increment(ref total);
        GatewayTelemetry.RateLimitStoreOperations.Add(1, new KeyValuePair<string, object?>("operation", operation));
    }
}
