using Azure;
using Azure.Data.Tables;

namespace FunctionsGateway.RateLimiting;

/// <summary>
/// A counter row of the <c>RateLimits</c> table as stored: PartitionKey is the counter (a hash of route, limit and
/// key), RowKey the window number, <c>Granted</c> the tokens granted in that window by all instances.
/// </summary>
internal sealed class RateLimitCounterEntity : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    /// <summary>Tokens granted in the window.</summary>
    public long Granted { get; set; }

    /// <summary>The id of the write attempt that last changed the row, to recognise a false 412 after an SDK retry.</summary>
    public string Writer { get; set; } = string.Empty;
}
