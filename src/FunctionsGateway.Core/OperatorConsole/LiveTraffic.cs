using System.Collections.Concurrent;
using FunctionsGateway.Configuration;
using FunctionsGateway.Pipeline;
using Microsoft.AspNetCore.Http;

namespace FunctionsGateway.OperatorConsole;

/// <summary>
/// The operator console's live numbers, kept in memory on this instance and always on: each route's last minute
/// (requests per second, 5xx, rate-limit refusals, latency percentiles), its busiest callers, and the last failures with
/// their trace ids. <see cref="GatewayRequestHandler"/> calls <see cref="Record"/> once per completed request; a request
/// that succeeds costs a few interlocked increments and no allocation. Memory is bounded: a route's counts are a fixed
/// ring, its callers a fixed table (<see cref="ConsumerTable"/>), the failures a fixed ring; routes that leave the
/// tables are forgotten.
/// </summary>
internal sealed class LiveTraffic
{
    /// <summary>The length of the window the console shows, in seconds.</summary>
    public const int WindowSeconds = 60;

    private readonly ConcurrentDictionary<string, RouteTraffic> _routes = new(StringComparer.Ordinal);
    private readonly Func<string, RouteTraffic> _create = static _ => new RouteTraffic();
    private readonly GatewaySnapshotProvider? _snapshots;
    private readonly TimeProvider _time;

    public LiveTraffic(GatewaySnapshotProvider snapshots, TimeProvider time)
        : this(time)
    {
        _snapshots = snapshots;
        snapshots.Published += ForgetRoutesNotIn;
    }

    /// <summary>An instance not tied to the snapshots: tests, and routes are never forgotten.</summary>
    public LiveTraffic(TimeProvider time) => _time = time;

    /// <summary>Requests no route matched (404, 405 and the like), counted but without callers.</summary>
    public RouteTraffic Unmatched { get; } = new();

    public RecentFailures Failures { get; } = new();

    /// <summary>The current second, on the clock <see cref="Record"/> counts by.</summary>
    public long NowSecond => _time.GetTimestamp() / _time.TimestampFrequency;

    /// <summary>
    /// Counts one completed request. <paramref name="outcome"/> is <c>ok</c> for a request the gateway neither refused
    /// nor failed; anything else also lands in <see cref="Failures"/>.
    /// </summary>
    public void Record(HttpContext context, GatewayRequestFeature? feature, int status, string outcome, TimeSpan elapsed)
    {
        var second = NowSecond;
        var limited = outcome == GatewayError.TooManyRequests.Code;
        if (feature?.Route is { } route)
        {
            var traffic = _routes.GetOrAdd(route.Id.Key, _create);
            traffic.Record(second, status >= 500, limited, elapsed.TotalMilliseconds);
            if (((object?)feature.Identity?.Consumer ?? context.Connection.RemoteIpAddress) is { } caller)
            {
                traffic.Consumers.Record(second, caller, limited);
            }
        }
        else
        {
            Unmatched.Record(second, status >= 500, limited, elapsed.TotalMilliseconds);
        }

        if (outcome != "ok")
        {
            AddFailure(context, feature, status, outcome, elapsed);
        }
    }

    /// <summary>The traffic of the route with row key <paramref name="routeKey"/>, or null when it has had none.</summary>
    public RouteTraffic? Of(string routeKey) => _routes.GetValueOrDefault(routeKey);

    /// <summary>Forgets the routes that are not in the current snapshot (called when one is published).</summary>
    public void ForgetRoutesNotIn(GatewaySnapshot snapshot)
    {
        var keys = snapshot.RoutesById.Keys.Select(id => id.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var key in _routes.Keys)
        {
            if (!keys.Contains(key))
            {
                _routes.TryRemove(key, out _);
            }
        }
    }

    private void ForgetRoutesNotIn()
    {
        if (_snapshots is not null)
        {
            ForgetRoutesNotIn(_snapshots.Current);
        }
    }

    private void AddFailure(HttpContext context, GatewayRequestFeature? feature, int status, string outcome, TimeSpan elapsed)
    {
        var path = context.Request.Path.Value ?? "/";
        Failures.Add(new RecentFailure(
            Failures.NextSequence(),
            _time.GetUtcNow(),
            context.Request.Method,
            path.Length > RecentFailures.MaxPathLength ? path[..RecentFailures.MaxPathLength] + "…" : path,
            feature?.Route?.Id.Key ?? string.Empty,
            feature?.Backend?.Id.Key ?? string.Empty,
            status,
            outcome,
            feature?.Identity?.Consumer ?? ClientAddress.TextOf(context),
            Math.Round(elapsed.TotalMilliseconds, 2),
            ProblemDetailsWriter.TraceId(context)));
    }
}
