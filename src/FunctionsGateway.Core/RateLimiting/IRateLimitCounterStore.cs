namespace FunctionsGateway.RateLimiting;

/// <summary>
/// Counter rows shared by every gateway instance: one row per (counter, window). Writes are conditional, so a
/// lost race is a null result, never a lost update.
/// </summary>
internal interface IRateLimitCounterStore
{
    /// <summary>The window's row, or null when nothing was granted in it yet.</summary>
    ValueTask<RateLimitCounter?> ReadAsync(string counter, long window, CancellationToken cancellationToken);

    /// <summary>Creates the window's row: its new ETag, or null when the row already exists.</summary>
    ValueTask<string?> TryInsertAsync(string counter, long window, long granted, string writer, CancellationToken cancellationToken);

    /// <summary>Sets the row's count if it still has <paramref name="etag"/>: its new ETag, or null when another write came first.</summary>
    ValueTask<string?> TryUpdateAsync(string counter, long window, long granted, string writer, string etag, CancellationToken cancellationToken);

    /// <summary>Removes the window's row if it exists.</summary>
    ValueTask DeleteAsync(string counter, long window, CancellationToken cancellationToken);
}
