namespace FunctionsGateway.RateLimiting;

/// <summary>Counts every call to the counter store in <see cref="RateLimitStoreOperations"/>, failed calls included.</summary>
internal sealed class MeteredCounterStore(IRateLimitCounterStore inner, RateLimitStoreOperations operations) : IRateLimitCounterStore
{
    public ValueTask<RateLimitCounter?> ReadAsync(string counter, long window, CancellationToken cancellationToken)
    {
        operations.Read();
        return inner.ReadAsync(counter, window, cancellationToken);
    }

    public async ValueTask<string?> TryInsertAsync(string counter, long window, long granted, string writer, CancellationToken cancellationToken) =>
        Counted(await CountFailureAsWrite(inner.TryInsertAsync(counter, window, granted, writer, cancellationToken)).ConfigureAwait(false));

    public async ValueTask<string?> TryUpdateAsync(string counter, long window, long granted, string writer, string etag, CancellationToken cancellationToken) =>
        Counted(await CountFailureAsWrite(inner.TryUpdateAsync(counter, window, granted, writer, etag, cancellationToken)).ConfigureAwait(false));

    public ValueTask DeleteAsync(string counter, long window, CancellationToken cancellationToken)
    {
        operations.Deleted();
        return inner.DeleteAsync(counter, window, cancellationToken);
    }

    private async ValueTask<string?> CountFailureAsWrite(ValueTask<string?> write)
    {
        try
        {
            return await write.ConfigureAwait(false);
        }
        catch
        {
            operations.Wrote();
            throw;
        }
    }

    private string? Counted(string? etag)
    {
        if (etag is null)
        {
            operations.Conflicted();
        }
        else
        {
            operations.Wrote();
        }

        return etag;
    }
}
