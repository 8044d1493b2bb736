using Azure;
using FunctionsGateway.RateLimiting;

namespace FunctionsGateway.Core.Tests.RateLimiting;

/// <summary>A counter store that is down: every call throws a storage error, or hangs until cancelled.</summary>
internal sealed class FailingCounterStore(bool hang) : IRateLimitCounterStore
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public ValueTask<RateLimitCounter?> ReadAsync(string counter, long window, CancellationToken cancellationToken) => FailAsync<RateLimitCounter?>(cancellationToken);

    public ValueTask<string?> TryInsertAsync(string counter, long window, long granted, string writer, CancellationToken cancellationToken) => FailAsync<string?>(cancellationToken);

    public ValueTask<string?> TryUpdateAsync(string counter, long window, long granted, string writer, string etag, CancellationToken cancellationToken) => FailAsync<string?>(cancellationToken);

    public async ValueTask DeleteAsync(string counter, long window, CancellationToken cancellationToken) => await FailAsync<bool>(cancellationToken);

    private async ValueTask<T> FailAsync<T>(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        if (hang)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        throw new RequestFailedException(503, "Server Busy");
    }
}
