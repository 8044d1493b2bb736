using System.Collections.Concurrent;
using System.Globalization;

namespace FunctionsGateway.RateLimiting;

/// <summary>
/// Counter rows in this instance's memory, with the same conditional-write semantics as the table (a new ETag on
/// every write; an insert over an existing row or an update with a stale ETag fails): the store of
/// <c>RateLimitMode local</c>.
/// </summary>
internal sealed class InMemoryRateLimitCounterStore : IRateLimitCounterStore
{
    private readonly ConcurrentDictionary<(string Counter, long Window), RateLimitCounter> _rows = new();
    private long _version;

    /// <summary>The number of rows held.</summary>
    public int Count => _rows.Count;

    public ValueTask<RateLimitCounter?> ReadAsync(string counter, long window, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_rows.TryGetValue((counter, window), out var row) ? row : null);

    public ValueTask<string?> TryInsertAsync(string counter, long window, long granted, string writer, CancellationToken cancellationToken)
    {
        var row = new RateLimitCounter(granted, NextETag(), writer);
        return ValueTask.FromResult(_rows.TryAdd((counter, window), row) ? row.ETag : null);
    }

    public ValueTask<string?> TryUpdateAsync(string counter, long window, long granted, string writer, string etag, CancellationToken cancellationToken)
    {
        var key = (counter, window);
        if (!_rows.TryGetValue(key, out var current) || current.ETag != etag)
        {
            return ValueTask.FromResult<string?>(null);
        }

        var row = new RateLimitCounter(granted, NextETag(), writer);
        return ValueTask.FromResult(_rows.TryUpdate(key, row, current) ? row.ETag : null);
    }

    public ValueTask DeleteAsync(string counter, long window, CancellationToken cancellationToken)
    {
        _rows.TryRemove((counter, window), out _);
        return ValueTask.CompletedTask;
    }

    private string NextETag() => Interlocked.Increment(ref _version).ToString(CultureInfo.InvariantCulture);
}
