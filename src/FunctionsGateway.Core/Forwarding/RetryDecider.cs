using System.Diagnostics;
using FunctionsGateway.Pipeline;
using FunctionsGateway.Routing;
using FunctionsGateway.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FunctionsGateway.Forwarding;

/// <summary>
/// Decides, after a failed attempt and before anything reached the client, whether the request is sent again and where.
/// A retry needs: the route's <c>Retries</c> not used up; an idempotent method (GET, HEAD, OPTIONS, PUT, DELETE) unless
/// no connection was made (then nothing was sent and the body is unread, so any method is safe); a body that can be sent
/// again; a backend (another one when the pool has one) that did not ask to be left alone with <c>Retry-After</c>; room
/// within the route's deadline; and the route's retry budget. Every retry and every skipped one is counted and logged.
/// </summary>
internal sealed partial class RetryDecider
{
    private static readonly TimeSpan MinimumRoom = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(1);

    private readonly IRetryBackendSource _backends;
    private readonly BackendCircuitBreakers _breakers;
    private readonly RetryBudgets _budgets;
    private readonly TimeProvider _time;
    private readonly TimeSpan _backoff;
    private readonly ILogger _logger;

    public RetryDecider(IRetryBackendSource backends, BackendCircuitBreakers breakers, RetryBudgets budgets, IOptions<GatewayOptions> options,
        TimeProvider time, ILogger<RetryDecider> logger)
    {
        _backends = backends;
        _breakers = breakers;
        _budgets = budgets;
        _time = time;
        _backoff = TimeSpan.FromMilliseconds(options.Value.Forwarding.RetryBackoffMilliseconds);
        _logger = logger;
    }

    /// <summary>The longest wait before a retry (the backoff grows up to it).</summary>
    public static TimeSpan MaximumBackoff => MaxBackoff;

    /// <summary>True for the methods a retry may repeat: sending them twice has the effect of sending them once (RFC 9110 §9.2.2).</summary>
    public static bool IsIdempotent(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsPut(method) || HttpMethods.IsDelete(method);

    /// <summary>
    /// Decides whether the request whose attempt at <paramref name="failed"/> ended as <paramref name="kind"/> is retried;
    /// when it is, the budget is paid, <see cref="RetryState.Next"/> is set and the retry is counted.
    /// </summary>
    /// <param name="context">The request.</param>
    /// <param name="feature">The gateway's view of it.</param>
    /// <param name="failed">The backend of the failed attempt.</param>
    /// <param name="kind">How the attempt ended.</param>
    /// <param name="status">The backend's status when it answered (502, 503, 504), else 0.</param>
    public bool TryRetry(HttpContext context, GatewayRequestFeature feature, BackendDefinition failed, AttemptKind kind, int status)
    {
        var route = feature.MatchedRoute;
        if (route.Retries == 0 || kind is AttemptKind.Answered or AttemptKind.Cancelled)
        {
            return false;
        }

        var reason = Reason(kind, status);
        var state = feature.Retry ??= new RetryState();
        if (state.Tried.Count == 0 || !ReferenceEquals(state.Tried[^1], failed))
        {
            state.Tried.Add(failed);
        }

        var skipped = Check(context, feature, route, state, kind, failed, out var next);
        if (skipped is not null)
        {
            Skip(route, failed, reason, skipped);
            return false;
        }

        state.Retries++;
        state.Next = next;
        GatewayTelemetry.Retries.Add(1, new TagList { { "route", route.Id.Key }, { "backend", failed.Id.Key }, { "reason", reason } });
        Log.Retrying(_logger, route.Id.Key, failed.Id.Key, reason, next!.Id.Key, state.Retries, route.Retries);
        return true;
    }

    private string? Check(HttpContext context, GatewayRequestFeature feature, RouteDefinition route, RetryState state, AttemptKind kind,
        BackendDefinition failed, out BackendDefinition? next)
    {
        next = null;
        if (state.Retries >= route.Retries)
        {
            return "attempts_exhausted";
        }

        // A connect failure sent nothing and read none of the body: repeating it is safe for every method and body.
        if (kind != AttemptKind.ConnectFailure)
        {
            if (!IsIdempotent(context.Request.Method))
            {
                return "not_idempotent";
            }

            if (state.Body != RequestBodyReplay.Replayable)
            {
                return state.Body == RequestBodyReplay.TooLarge ? "body_too_large" : "body_unknown_length";
            }
        }

        next = _backends.Next(feature, state.Tried);
        if (next is null)
        {
            return "no_backend";
        }

        if (ReferenceEquals(next, failed) && _breakers.IsRetryAfterPending(failed))
        {
            return "retry_after";
        }

        var backoff = _backoff * (1 << Math.Min(state.Retries + 1, 10));
        var remaining = route.RequestTimeout - _time.GetElapsedTime(feature.StartedAt);
        if (remaining < (backoff < MaxBackoff ? backoff : MaxBackoff) + MinimumRoom)
        {
            return "deadline";
        }

        return _budgets.For(route).TryWithdraw() ? null : "budget";
    }

    private void Skip(RouteDefinition route, BackendDefinition failed, string reason, string skipped)
    {
        GatewayTelemetry.RetriesSkipped.Add(1, new TagList { { "route", route.Id.Key }, { "reason", skipped } });
        Log.NotRetried(_logger, route.Id.Key, failed.Id.Key, reason, skipped);
    }

    private static string Reason(AttemptKind kind, int status) => kind switch
    {
        AttemptKind.ConnectFailure => "connect_failure",
        AttemptKind.Timeout => "timeout",
        AttemptKind.Held => status switch { 502 => "status_502", 503 => "status_503", _ => "status_504" },
        _ => "backend_failure",
    };

    private static partial class Log
    {
        [LoggerMessage(410, LogLevel.Information, "Retrying route {Route}: the attempt at backend {Backend} failed ({Reason}); retry {Retry} of {Retries} goes to {Next}.")]
        public static partial void Retrying(ILogger logger, string route, string backend, string reason, string next, int retry, int retries);

        [LoggerMessage(411, LogLevel.Information, "Not retrying route {Route} after the attempt at backend {Backend} failed ({Reason}): {Skipped}.")]
        public static partial void NotRetried(ILogger logger, string route, string backend, string reason, string skipped);
    }
}
