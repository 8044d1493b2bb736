namespace FunctionsGateway.RateLimiting;

/// <summary>
/// Counter rows shared by every gateway instance: one row per (counter, window). Writes are conditional, so a
/// lost race is a <c>false</c> result, never a lost update.
/// </summary>
internal interface IRateLimitCounterStore
{
    /// <summary>The window's row, or null when nothing was granted in it yet.</summary>
    ValueTask<RateLimitCounter?> ReadAsync(string counter, long window, CancellationToken cancellationToken);

    /// <summary>Creates the window's row; false when it already exists.</summary>
    ValueTask<bool> TryInsertAsync(string counter, long window, long granted, string writer, CancellationToken cancellationToken);

    /// <summary>Sets the row's count if it still has <paramref name="etag"/>; false when another write came first.</summary>
    ValueTask<bool> TryUpdateAsync(string counter, long window, long granted, string writer, string etag, CancellationToken cancellationToken);

    /// <summary>Removes the window's row if it exists.</summary>
    ValueTask DeleteAsync(string counter, long window, CancellationToken cancellationToken);
}
