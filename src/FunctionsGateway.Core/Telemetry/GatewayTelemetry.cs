using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace FunctionsGateway.Telemetry;

/// <summary>
/// The gateway's OpenTelemetry sources. Both are named <c>FunctionsGateway</c>; an exporter subscribes by that name.
/// Instruments cost next to nothing while nobody listens.
/// </summary>
public static class GatewayTelemetry
{
    /// <summary>The name of the <see cref="ActivitySource"/> and the <see cref="Meter"/>.</summary>
    public const string Name = "FunctionsGateway";

    /// <summary>Spans the gateway starts.</summary>
    public static readonly ActivitySource ActivitySource = new(Name);

    /// <summary>The gateway's metrics.</summary>
    public static readonly Meter Meter = new(Name);

    /// <summary>Requests handled, by <c>route</c>, <c>backend</c>, <c>status_code</c> and <c>outcome</c>.</summary>
    internal static readonly Counter<long> Requests = Meter.CreateCounter<long>("gateway.requests", description: "Requests handled by the gateway.");

    /// <summary>Time from receiving a request to finishing its response, in milliseconds, with the same dimensions.</summary>
    internal static readonly Histogram<double> RequestDuration = Meter.CreateHistogram<double>("gateway.request.duration", unit: "ms",
        description: "Time from receiving a request to finishing its response.");

    /// <summary>
    /// Time from receiving a request to finishing its response, in seconds, in the shape of OpenTelemetry's
    /// <c>http.server.request.duration</c> (its bucket advice and attribute names): <c>http.route</c> (the route's path
    /// template), <c>http.request.method</c>, <c>http.response.status_code</c>, <c>error.type</c> (the gateway's error code,
    /// when it answered one), <c>gateway.route</c>, <c>gateway.backend</c> and <c>gateway.outcome</c>.
    /// </summary>
    internal static readonly Histogram<double> ServerRequestDuration = Meter.CreateHistogram(
        "gateway.server.request.duration",
        unit: "s",
        description: "Time from receiving a request to finishing its response.",
        tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] });

    /// <summary>Access log events dropped because the background writer had fallen a full queue behind.</summary>
    internal static readonly Counter<long> AccessLogDropped = Meter.CreateCounter<long>("gateway.access_log.dropped",
        description: "Access log events dropped because the writer had fallen a full queue behind.");

    /// <summary>Requests rejected by rate limiting, by <c>route</c> and <c>reason</c> (<c>limit</c>, <c>store_unavailable</c>).</summary>
    internal static readonly Counter<long> RateLimitRejections = Meter.CreateCounter<long>("gateway.ratelimit.rejections",
        description: "Requests rejected by rate limiting.");

    /// <summary>Rate limit decisions made without the shared counters because storage failed, by <c>failure</c> (open, closed).</summary>
    internal static readonly Counter<long> RateLimitStoreFailures = Meter.CreateCounter<long>("gateway.ratelimit.store_failures",
        description: "Rate limit decisions made without the shared counters because storage failed.");

    /// <summary>Storage operations on the rate limit counters, by <c>operation</c> (read, write, conflict, delete).</summary>
    internal static readonly Counter<long> RateLimitStoreOperations = Meter.CreateCounter<long>("gateway.ratelimit.store_operations",
        description: "Storage operations on the rate limit counters.");

    /// <summary>Retries sent, by <c>route</c>, <c>backend</c> (the one that failed) and <c>reason</c> (connect_failure, timeout, status_502/503/504).</summary>
    internal static readonly Counter<long> Retries = Meter.CreateCounter<long>("gateway.retries", description: "Retries sent after a failed attempt.");

    /// <summary>
    /// Failed attempts not retried, by <c>route</c> and <c>reason</c> (not_idempotent, body_too_large, body_unknown_length, budget,
    /// retry_after, deadline, attempts_exhausted).
    /// </summary>
    internal static readonly Counter<long> RetriesSkipped = Meter.CreateCounter<long>("gateway.retries.skipped",
        description: "Failed attempts that were not retried, and why.");

    /// <summary>Circuit breaker changes, by <c>backend</c> and <c>state</c> (opened, half_opened, closed).</summary>
    internal static readonly Counter<long> CircuitBreakerTransitions = Meter.CreateCounter<long>("gateway.circuit_breaker.transitions",
        description: "Per-backend circuit breakers opening, half-opening and closing.");

    /// <summary>Faults injected by routes' Fault* columns, by <c>route</c> and <c>kind</c> (abort, delay).</summary>
    internal static readonly Counter<long> FaultsInjected = Meter.CreateCounter<long>("gateway.faults.injected",
        description: "Faults injected by routes' Fault* columns.");
    /// <summary>
    /// Backend selections by <c>route</c>, <c>pool</c> and <c>selection</c> (<c>primary</c>, <c>backup</c>, <c>fallback_pool</c>,
    /// <c>fallback_response</c>, <c>panic</c>, <c>none</c>).
    /// </summary>
    internal static readonly Counter<long> BackendSelections = Meter.CreateCounter<long>("gateway.backend.selections",
        description: "How each request's backend was chosen: by health and priority, a fallback, or panic.");
}
