using Microsoft.Extensions.ObjectPool;

namespace FunctionsGateway.Forwarding;

/// <summary>
/// Timer-driven cancellation sources for the routes' request deadlines (<c>RequestTimeoutSeconds</c>), reused
/// across requests: a source whose timer never fired is reset and pooled, so a forwarded request costs no new
/// source and timer; one that fired (or cannot be reset) is disposed and replaced.
/// </summary>
internal sealed class RequestDeadlines
{
    private readonly ObjectPool<CancellationTokenSource> _pool;

    public RequestDeadlines(TimeProvider time, int maximumRetained = 1024) =>
        _pool = new DefaultObjectPool<CancellationTokenSource>(new Policy(time), maximumRetained);

    /// <summary>A source that cancels after <paramref name="remaining"/>; give it back with <see cref="Return"/>.</summary>
    public CancellationTokenSource Start(TimeSpan remaining)
    {
        var source = _pool.Get();
        source.CancelAfter(remaining);
        return source;
    }

    /// <summary>Stops the timer: the deadline no longer applies (the response has started).</summary>
    public static void Disarm(CancellationTokenSource source) => source.CancelAfter(Timeout.InfiniteTimeSpan);

    /// <summary>Takes the source back once nothing listens to its token any more.</summary>
    public void Return(CancellationTokenSource source) => _pool.Return(source);

    private sealed class Policy(TimeProvider time) : IPooledObjectPolicy<CancellationTokenSource>
    {
        public CancellationTokenSource Create() => new(Timeout.InfiniteTimeSpan, time);

        public bool Return(CancellationTokenSource source)
        {
            // TryReset refuses a source whose timer fired (or may have fired); that one cannot serve again.
            Disarm(source);
            if (!source.IsCancellationRequested && source.TryReset())
            {
                return true;
            }

            source.Dispose();
            return false;
        }
    }
}
