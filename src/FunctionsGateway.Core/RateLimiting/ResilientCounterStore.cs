using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace FunctionsGateway.RateLimiting;

/// <summary>
/// The shared counter store behind a timeout and a circuit breaker (<see cref="RateLimitingOptions"/>; by default a
/// call that takes longer than 500 ms fails, and when half the calls of the last 10 s, at least 5, failed, calls fail
/// at once for 5 s instead of waiting on storage). A failure is thrown to the caller
/// (<see cref="StoreFallbackRateLimiter"/>), which decides.
/// </summary>
internal sealed class ResilientCounterStore : IRateLimitCounterStore
{
    private readonly IRateLimitCounterStore _inner;
    private readonly ResiliencePipeline _pipeline;

    public ResilientCounterStore(IRateLimitCounterStore inner, TimeProvider time, RateLimitingOptions? settings = null)
    {
        _inner = inner;
        settings ??= new RateLimitingOptions();
        _pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = settings.BreakerFailureRatio,
                MinimumThroughput = settings.BreakerMinimumCalls,
                SamplingDuration = TimeSpan.FromSeconds(settings.BreakerSamplingSeconds),
                BreakDuration = TimeSpan.FromSeconds(settings.BreakerBreakSeconds),
                ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not OperationCanceledException || e is TimeoutRejectedException),
            })
            .AddTimeout(TimeSpan.FromMilliseconds(settings.StoreTimeoutMilliseconds))
            .Build();
    }

    public ValueTask<RateLimitCounter?> ReadAsync(string counter, long window, CancellationToken cancellationToken) =>
        _pipeline.ExecuteAsync(static (state, ct) => state.Inner.ReadAsync(state.Counter, state.Window, ct), (Inner: _inner, Counter: counter, Window: window), cancellationToken);

    public ValueTask<string?> TryInsertAsync(string counter, long window, long granted, string writer, CancellationToken cancellationToken) =>
        _pipeline.ExecuteAsync(ct => _inner.TryInsertAsync(counter, window, granted, writer, ct), cancellationToken);

    public ValueTask<string?> TryUpdateAsync(string counter, long window, long granted, string writer, string etag, CancellationToken cancellationToken) =>
        _pipeline.ExecuteAsync(ct => _inner.TryUpdateAsync(counter, window, granted, writer, etag, ct), cancellationToken);

    public ValueTask DeleteAsync(string counter, long window, CancellationToken cancellationToken) =>
        _pipeline.ExecuteAsync(ct => _inner.DeleteAsync(counter, window, ct), cancellationToken);
}
