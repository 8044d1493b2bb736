using Polly;
using Polly.CircuitBreaker;

namespace FunctionsGateway.Forwarding;

/// <summary>
/// One backend's circuit breaker on this instance (a Polly circuit breaker over its attempts), and the time until which the
/// backend asked not to be called again (<c>Retry-After</c>).
/// </summary>
internal sealed class BackendBreaker
{
    private readonly TimeProvider _time;
    private long _openUntil;
    private long _retryAfterUntil;

    public BackendBreaker(ResiliencePipeline<AttemptResult> pipeline, CircuitBreakerStateProvider state, TimeProvider time)
    {
        Pipeline = pipeline;
        State = state;
        _time = time;
    }

    /// <summary>Runs an attempt through the breaker: an open breaker refuses it with a <see cref="BrokenCircuitException"/> outcome.</summary>
    public ResiliencePipeline<AttemptResult> Pipeline { get; }

    /// <summary>The breaker's state as Polly sees it.</summary>
    public CircuitBreakerStateProvider State { get; }

    /// <summary>
    /// True while the breaker is open and its break has not passed. Once it has, the backend may be chosen again, and the
    /// first attempt through <see cref="Pipeline"/> is the half-open trial.
    /// </summary>
    public bool IsOpen => State.CircuitState is CircuitState.Open or CircuitState.Isolated && _time.GetTimestamp() < Volatile.Read(ref _openUntil);

    /// <summary>True while the backend's last <c>Retry-After</c> has not passed.</summary>
    public bool IsRetryAfterPending => _time.GetTimestamp() < Volatile.Read(ref _retryAfterUntil);

    public void Opened(TimeSpan breakDuration) => Volatile.Write(ref _openUntil, _time.GetTimestamp() + Ticks(breakDuration));

    public void RetryAfter(TimeSpan delay) => Volatile.Write(ref _retryAfterUntil, _time.GetTimestamp() + Ticks(delay));

    private long Ticks(TimeSpan duration) => (long)(duration.TotalSeconds * _time.TimestampFrequency);
}
