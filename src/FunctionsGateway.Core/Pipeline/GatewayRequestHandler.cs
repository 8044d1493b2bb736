using System.Diagnostics;
using FunctionsGateway.Authentication;
using FunctionsGateway.Configuration;
using FunctionsGateway.Pipeline.Steps;
using FunctionsGateway.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FunctionsGateway.Pipeline;

/// <summary>
/// The gateway's request path, the same in every host: waits for the first route load, then runs the steps
/// (<see cref="IGatewayStep"/>, in the order <see cref="GatewayServiceCollectionExtensions.AddGateway"/> registers them:
/// check path → match route → authenticate → static response → select backend → forward) until one ends the request,
/// and writes the access log and metrics. Hosts hand every request to <see cref="HandleAsync"/>.
/// </summary>
public sealed partial class GatewayRequestHandler
{
    private readonly GatewaySnapshotProvider _snapshots;
    private readonly IGatewayStep[] _steps;
    private readonly TimeProvider _time;
    private readonly ILogger _accessLog;
    private readonly TimeSpan _initialLoadWait;
    private readonly GatewayError _notLoaded;
    private readonly OperatorConsole.LiveTraffic? _traffic;

    internal GatewayRequestHandler(
        GatewaySnapshotProvider snapshots,
        IEnumerable<IGatewayStep> steps,
        IOptions<GatewayOptions> options,
        TimeProvider time,
        ILoggerFactory loggers,
        OperatorConsole.LiveTraffic? traffic = null)
    {
        _snapshots = snapshots;
        _steps = [.. steps];
        _time = time;
        _accessLog = loggers.CreateLogger("FunctionsGateway.AccessLog");
        _traffic = traffic;
        _initialLoadWait = TimeSpan.FromSeconds(options.Value.Configuration.InitialLoadWaitSeconds);
        _notLoaded = GatewayError.ConfigurationNotLoaded.WithHeader("Retry-After",
            options.Value.Configuration.RefreshIntervalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Handles one request end to end. Never throws for a client's or a backend's failure.</summary>
    public async Task HandleAsync(HttpContext context)
    {
        var started = _time.GetTimestamp();
        GatewayRequestFeature? feature = null;
        try
        {
            if (!_snapshots.IsLoaded && !await _snapshots.WaitForFirstLoadAsync(_initialLoadWait, _time, context.RequestAborted).ConfigureAwait(false))
            {
                await ProblemDetailsWriter.WriteAsync(context, _notLoaded).ConfigureAwait(false);
                return;
            }

            feature = new GatewayRequestFeature(_snapshots.Current) { StartedAt = started };
            context.Features.Set(feature);
            foreach (var step in _steps)
            {
                var result = await step.InvokeAsync(context, feature).ConfigureAwait(false);
                if (result.Error is { } error)
                {
                    feature.ErrorCode = error.Code;
                    await ProblemDetailsWriter.WriteAsync(context, error).ConfigureAwait(false);
                    return;
                }

                if (result.Ended)
                {
                    return;
                }
            }

            throw new InvalidOperationException($"No step ended the request; the last registered step ({_steps.LastOrDefault()?.GetType().Name}) must.");
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
            if (feature is not null)
            {
                feature.ErrorCode = "client_aborted";
            }
        }
        finally
        {
            WriteAccessLog(context, feature, _time.GetElapsedTime(started));
        }
    }

    private void WriteAccessLog(HttpContext context, GatewayRequestFeature? feature, TimeSpan elapsed)
    {
        var route = feature?.Route?.Id.Key ?? string.Empty;
        var backend = feature?.Backend?.Id.Key ?? string.Empty;
        var status = feature?.ErrorCode == "client_aborted" ? 499 : context.Response.StatusCode;
        var outcome = feature?.ErrorCode ?? (status < 500 ? "ok" : "backend_error");
        if (GatewayTelemetry.Requests.Enabled || GatewayTelemetry.RequestDuration.Enabled)
        {
            var tags = new TagList { { "route", route }, { "backend", backend }, { "status_code", status }, { "outcome", outcome } };
            GatewayTelemetry.Requests.Add(1, tags);
            GatewayTelemetry.RequestDuration.Record(elapsed.TotalMilliseconds, tags);
        }

        _traffic?.Record(context, feature, status, outcome, elapsed);

        if (_accessLog.IsEnabled(LogLevel.Information))
        {
            var identity = feature?.Identity;
            Log.AccessLog(_accessLog, context.Request.Method, context.Request.Path.Value ?? "/", OrDash(route), OrDash(backend), status, outcome,
                Math.Round(elapsed.TotalMilliseconds, 2), ClientAddress.TextOf(context),
                ProblemDetailsWriter.TraceId(context), OrDash(identity?.Consumer), OrDash(identity?.Subject),
                identity is null ? NoValue : IdentityHeaders.MethodName(identity.Method));
        }
    }

    // One rule for every field of the access log: a value that does not apply (no route matched, no caller
    // identified) is written "-", as in common web server logs, so fields never run together.
    private const string NoValue = "-";

    private static string OrDash(string? value) => string.IsNullOrEmpty(value) ? NoValue : value;

    private static partial class Log
    {
        // One event per request; never the query string, a token or a key.
        [LoggerMessage(700, LogLevel.Information,
            "{Method} {Path} → route {Route} backend {Backend}: {Status} {Outcome} in {LatencyMs} ms from {ClientIp} trace {TraceId} consumer {Consumer} subject {Subject} via {AuthMethod}",
            EventName = "AccessLog")]
        public static partial void AccessLog(ILogger logger, string method, string path, string route, string backend, int status,
            string outcome, double latencyMs, string clientIp, string traceId, string consumer, string subject, string authMethod);
    }
}
