using FunctionsGateway.RateLimiting;

namespace FunctionsGateway.Core.Tests.RateLimiting;

/// <summary>
/// An in-memory counter store (faithful ETag semantics) whose writes can be scripted to lose their answer (the
/// write happens, the caller is told it conflicted, as after an SDK retry) or to be preceded by another writer.
/// </summary>
internal sealed class ScriptedCounterStore : IRateLimitCounterStore
{
    private readonly InMemoryRateLimitCounterStore _inner = new();
    private long _operations;

    public long Operations => Interlocked.Read(ref _operations);

    public int Rows => _inner.Count;

    /// <summary>The next this many writes succeed but report a conflict.</summary>
    public int LoseWriteAnswers { get; set; }

    /// <summary>Before each of the next this many writes, another writer adds this many tokens.</summary>
    public int CompetingWrites { get; set; }

    public long CompetingTokens { get; set; } = 1;

    public ValueTask<RateLimitCounter?> ReadAsync(string counter, long window, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _operations);
        return _inner.ReadAsync(counter, window, cancellationToken);
    }

    public async ValueTask<string?> TryInsertAsync(string counter, long window, long granted, string writer, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _operations);
        await CompeteAsync(counter, window);
        var written = await _inner.TryInsertAsync(counter, window, granted, writer, cancellationToken);
        return LoseAnswer(written);
    }

    public async ValueTask<string?> TryUpdateAsync(string counter, long window, long granted, string writer, string etag, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _operations);
        await CompeteAsync(counter, window);
        var written = await _inner.TryUpdateAsync(counter, window, granted, writer, etag, cancellationToken);
        return LoseAnswer(written);
    }

    public ValueTask DeleteAsync(string counter, long window, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _operations);
        return _inner.DeleteAsync(counter, window, cancellationToken);
    }

    public async Task<long> GrantedAsync(string counter, long window) => (await _inner.ReadAsync(counter, window, default))?.Granted ?? 0;

    public async Task SetAsync(string counter, long window, long granted)
    {
        var row = await _inner.ReadAsync(counter, window, default);
        _ = row is null
            ? await _inner.TryInsertAsync(counter, window, granted, "test", default)
            : await _inner.TryUpdateAsync(counter, window, granted, "test", row.ETag, default);
    }

    private async ValueTask CompeteAsync(string counter, long window)
    {
        if (CompetingWrites > 0)
        {
            CompetingWrites--;
            var row = await _inner.ReadAsync(counter, window, default);
            await SetAsync(counter, window, (row?.Granted ?? 0) + CompetingTokens);
        }
    }

    private string? LoseAnswer(string? written)
    {
        if (written is not null && LoseWriteAnswers > 0)
        {
            LoseWriteAnswers--;
            return null;
        }

        return written;
    }
}
