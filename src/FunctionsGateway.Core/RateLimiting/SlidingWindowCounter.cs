namespace FunctionsGateway.RateLimiting;

/// <summary>
/// Claims tokens from one counter's rows, shared by every instance: the current window's row counts the tokens
/// granted in it, and the previous window's count is weighted by the part of it still inside the sliding window
/// (<c>estimate = previous × (1 − elapsed fraction) + current</c>). A claim is a conditional write that succeeds
/// only if <c>estimate + tokens ≤ limit</c>, so no window's row ever exceeds the limit; a lost race re-reads and
/// retries, at most <see cref="MaxAttempts"/> times. Each write carries a new writer id, so a write that
/// succeeded but was reported as a conflict (an SDK retry after a lost response) is recognised on the re-read.
/// The row this instance last wrote is remembered, so an uncontended claim is a single conditional write; once
/// a claim met another writer or emptied the window, the remembered row is known to be stale and the next claim
/// reads before it writes (a read and a write, rather than a refused write, a read and a write).
/// Creating a window's row removes the row two windows back, so a counter keeps at most three rows.
/// </summary>
internal sealed class SlidingWindowCounter(IRateLimitCounterStore store, string counter, RateLimitRule rule, TimeProvider time)
{
    /// <summary>Attempts of one claim before it gives up as contended (and grants nothing).</summary>
    public const int MaxAttempts = 8;

    private WindowCount? _previous;
    private WrittenRow? _lastWritten;

    /// <summary>The counter's name (its partition in the store).</summary>
    public string Counter => counter;

    /// <summary>The limit counted.</summary>
    public RateLimitRule Rule => rule;

    /// <summary>When the fixed window that contains <paramref name="now"/> ends.</summary>
    public DateTimeOffset WindowEnd(DateTimeOffset now)
    {
        var windowMs = (long)rule.Window.TotalMilliseconds;
        return DateTimeOffset.FromUnixTimeMilliseconds(((now.ToUnixTimeMilliseconds() / windowMs) + 1) * windowMs);
    }

    /// <summary>
    /// Claims up to <c>size(available)</c> tokens, where available is what the estimate still allows (at least 1
    /// when anything is granted).
    /// </summary>
    public async ValueTask<CounterGrant> ClaimAsync(Func<long, long> size, CancellationToken cancellationToken)
    {
        var windowMs = (long)rule.Window.TotalMilliseconds;
        var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        var window = nowMs / windowMs;
        var elapsed = (double)(nowMs - (window * windowMs)) / windowMs;
        var windowEnds = DateTimeOffset.FromUnixTimeMilliseconds((window + 1) * windowMs);
        var resetAfter = TimeSpan.FromMilliseconds(((window + 1) * windowMs) - nowMs);
        var previous = await PreviousGrantedAsync(window, cancellationToken).ConfigureAwait(false);
        var weighted = previous * (1 - elapsed);

        // The row as this instance last wrote it: if nobody wrote since, the conditional write needs no read first.
        var last = Volatile.Read(ref _lastWritten);
        var current = last is not null && last.Window == window && !last.Stale
            ? last.Row
            : await store.ReadAsync(counter, window, cancellationToken).ConfigureAwait(false);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var granted = current?.Granted ?? 0;
            var available = (long)Math.Floor(rule.Permits - weighted - granted);
            if (available < 1)
            {
                // Others fill the window too: what this instance last wrote no longer tells the row's state.
                MarkStale();
                return new CounterGrant(window, 0, 0, windowEnds, resetAfter, RetryAfter(previous, granted, elapsed, resetAfter), Saturated: true);
            }

            var wanted = size(available);
            var tokens = Math.Clamp(wanted, 1, available);
            var writer = Guid.NewGuid().ToString("N");
            var etag = current is null
                ? await store.TryInsertAsync(counter, window, tokens, writer, cancellationToken).ConfigureAwait(false)
                : await store.TryUpdateAsync(counter, window, granted + tokens, writer, current.ETag, cancellationToken).ConfigureAwait(false);
            if (etag is null)
            {
                current = await store.ReadAsync(counter, window, cancellationToken).ConfigureAwait(false);
                etag = current?.Writer == writer ? current.ETag : null;
            }

            if (etag is not null)
            {
                var saturated = wanted >= available;
                Volatile.Write(ref _lastWritten, new WrittenRow(window, new RateLimitCounter(granted + tokens, etag, writer), Stale: saturated || attempt > 0));
                if (granted == 0)
                {
                    await store.DeleteAsync(counter, window - 2, cancellationToken).ConfigureAwait(false);
                }

                return new CounterGrant(window, tokens, available - tokens, windowEnds, resetAfter, TimeSpan.Zero, saturated);
            }
        }

        MarkStale();
        return new CounterGrant(window, 0, 0, windowEnds, resetAfter, TimeSpan.FromSeconds(1), Saturated: true);
    }

    private void MarkStale()
    {
        if (Volatile.Read(ref _lastWritten) is { Stale: false } last)
        {
            Volatile.Write(ref _lastWritten, last with { Stale = true });
        }
    }

    private async ValueTask<long> PreviousGrantedAsync(long window, CancellationToken cancellationToken)
    {
        // A window that has ended is no longer written: read once, then remembered.
        var known = Volatile.Read(ref _previous);
        if (known is null || known.Window != window - 1)
        {
            var row = await store.ReadAsync(counter, window - 1, cancellationToken).ConfigureAwait(false);
            known = new WindowCount(window - 1, row?.Granted ?? 0);
            Volatile.Write(ref _previous, known);
        }

        return known.Granted;
    }

    // When previous × (1 − f) + current ≤ limit − 1 again, within this window if the previous count's fading weight
    // allows it, else at the window's end.
    private TimeSpan RetryAfter(long previous, long granted, double elapsed, TimeSpan resetAfter)
    {
        var room = rule.Permits - 1 - granted;
        if (previous <= 0 || room < 0)
        {
            return resetAfter;
        }

        var fraction = 1 - ((double)room / previous);
        var wait = rule.Window * Math.Max(0, fraction - elapsed);
        return wait < resetAfter ? wait : resetAfter;
    }

    private sealed record WindowCount(long Window, long Granted);

    private sealed record WrittenRow(long Window, RateLimitCounter Row, bool Stale);
}
