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
    private long _sweptBefore;

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

    /// <summary>
    /// Forgets the rows of windows before the previous one, which no estimate reads any more: the rows a key that
    /// stopped sending left behind. Does the work at most once per window, so it can be called whenever a key's
    /// limiter is created.
    /// </summary>
    public void RemoveExpired(RateLimitRule rule, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(time);
        var previous = (time.GetUtcNow().ToUnixTimeMilliseconds() / (long)rule.Window.TotalMilliseconds) - 1;
        var swept = Interlocked.Read(ref _sweptBefore);
        if (previous <= swept || Interlocked.CompareExchange(ref _sweptBefore, previous, swept) != swept)
        {
            return;
        }

        foreach (var key in _rows.Keys)
        {
            if (key.Window < previous)
            {
                _rows.TryRemove(key, out _);
            }
        }
    }

    private string NextETag() => Interlocked.Increment(ref _version).ToString(CultureInfo.InvariantCulture);
}
