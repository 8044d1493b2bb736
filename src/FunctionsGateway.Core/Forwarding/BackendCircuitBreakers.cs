using System.Collections.Concurrent;
using System.Diagnostics;
using FunctionsGateway.Configuration;
using FunctionsGateway.Routing;
using FunctionsGateway.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;

namespace FunctionsGateway.Forwarding;

/// <summary>
/// The per-backend circuit breakers of this instance, keyed by backend row, kept across snapshot swaps; a backend that
/// left the tables loses its breaker. A breaker opens when <c>FailureRatio</c> of a backend's attempts within the sampling
/// window failed (connect failures, attempt timeouts, 5xx; at least <c>MinimumThroughput</c> attempts), keeps the backend
/// out for <c>BreakDurationSeconds</c>, then lets one trial request through: it closes on success and opens again on failure.
/// State changes are logged, counted and passed to <see cref="OnOpened"/>, <see cref="OnHalfOpened"/> and <see cref="OnClosed"/>.
/// </summary>
internal sealed partial class BackendCircuitBreakers
{
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<RowId, BackendBreaker> _breakers = new();
    private readonly CircuitBreakerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<RowId, BackendBreaker> _create;
    private GatewaySnapshot? _seen;

    public BackendCircuitBreakers(IOptions<GatewayOptions> options, TimeProvider time, ILogger<BackendCircuitBreakers> logger)
    {
        _options = options.Value.Forwarding.CircuitBreaker;
        _time = time;
        _logger = logger;
        _create = Create;
    }

    /// <summary>Called when a backend's breaker opens (the backend is skipped until its break has passed).</summary>
    public Action<RowId>? OnOpened { get; set; }

    /// <summary>Called when a backend's break has passed and a trial request is let through.</summary>
    public Action<RowId>? OnHalfOpened { get; set; }

    /// <summary>Called when a backend's breaker closes again (its trial request succeeded).</summary>
    public Action<RowId>? OnClosed { get; set; }

    /// <summary>The backend's breaker, made on first use.</summary>
    public BackendBreaker For(BackendDefinition backend) => _breakers.GetOrAdd(backend.Id, _create);

    /// <summary>True while the backend's breaker is open and its break has not passed.</summary>
    public bool IsOpen(BackendDefinition backend) => _breakers.TryGetValue(backend.Id, out var breaker) && breaker.IsOpen;

    /// <inheritdoc cref="IsOpen(BackendDefinition)"/>
    public bool IsOpen(RowId backendId) => _breakers.TryGetValue(backendId, out var breaker) && breaker.IsOpen;

    /// <summary>True while the backend's last <c>Retry-After</c> (on a 503 or 429) has not passed: no retry goes there.</summary>
    public bool IsRetryAfterPending(BackendDefinition backend) => _breakers.TryGetValue(backend.Id, out var breaker) && breaker.IsRetryAfterPending;

    /// <summary>Notes a backend's <c>Retry-After</c> (capped at an hour).</summary>
    public void RetryAfter(BackendDefinition backend, TimeSpan delay) =>
        For(backend).RetryAfter(delay > MaxRetryAfter ? MaxRetryAfter : delay);

    /// <summary>Drops the breakers of backends that are in no pool of <paramref name="snapshot"/>; cheap when the snapshot was seen.</summary>
    public void Observe(GatewaySnapshot snapshot)
    {
        if (ReferenceEquals(Volatile.Read(ref _seen), snapshot) || Interlocked.Exchange(ref _seen, snapshot) == snapshot)
        {
            return;
        }

        var current = new HashSet<RowId>();
        foreach (var pool in snapshot.Pools.Values)
        {
            foreach (var backend in pool.Backends)
            {
                current.Add(backend.Id);
            }
        }

        foreach (var id in _breakers.Keys)
        {
            if (!current.Contains(id))
            {
                _breakers.TryRemove(id, out _);
            }
        }
    }

    private BackendBreaker Create(RowId id)
    {
        var state = new CircuitBreakerStateProvider();
        BackendBreaker? breaker = null;
        var pipeline = new ResiliencePipelineBuilder<AttemptResult> { TimeProvider = _time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<AttemptResult>
            {
                FailureRatio = _options.FailureRatio,
                MinimumThroughput = _options.MinimumThroughput,
                SamplingDuration = TimeSpan.FromSeconds(_options.SamplingDurationSeconds),
                BreakDuration = TimeSpan.FromSeconds(_options.BreakDurationSeconds),
                StateProvider = state,
                ShouldHandle = static args => new ValueTask<bool>(args.Outcome.Exception is null && args.Outcome.Result.IsBackendFailure),
                OnOpened = args =>
                {
                    breaker!.Opened(args.BreakDuration);
                    Changed(id, "opened");
                    Log.Opened(_logger, id.Key, args.BreakDuration.TotalSeconds);
                    OnOpened?.Invoke(id);
                    return ValueTask.CompletedTask;
                },
                OnHalfOpened = _ =>
                {
                    Changed(id, "half_opened");
                    Log.HalfOpened(_logger, id.Key);
                    OnHalfOpened?.Invoke(id);
                    return ValueTask.CompletedTask;
                },
                OnClosed = _ =>
                {
                    Changed(id, "closed");
                    Log.Closed(_logger, id.Key);
                    OnClosed?.Invoke(id);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
        breaker = new BackendBreaker(pipeline, state, _time);
        return breaker;
    }

    private static void Changed(RowId id, string state) =>
        GatewayTelemetry.CircuitBreakerTransitions.Add(1, new TagList { { "backend", id.Key }, { "state", state } });

    private static partial class Log
    {
        [LoggerMessage(430, LogLevel.Warning, "The circuit breaker of backend {Backend} opened: too many of its attempts failed; it is skipped for {BreakSeconds} s, then one trial request decides.")]
        public static partial void Opened(ILogger logger, string backend, double breakSeconds);

        [LoggerMessage(431, LogLevel.Information, "The break of backend {Backend} has passed; one trial request is let through.")]
        public static partial void HalfOpened(ILogger logger, string backend);

        [LoggerMessage(432, LogLevel.Warning, "The circuit breaker of backend {Backend} closed: its trial request succeeded and it takes traffic again.")]
        public static partial void Closed(ILogger logger, string backend);
    }
}
