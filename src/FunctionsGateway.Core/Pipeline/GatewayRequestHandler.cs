using System.Diagnostics;
using System.Globalization;
using FunctionsGateway.Configuration;
using FunctionsGateway.Pipeline.Steps;
using FunctionsGateway.Telemetry;
using Microsoft.AspNetCore.Http;
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
    private readonly string?[] _stepSpanNames;
    private readonly TimeProvider _time;
    private readonly AccessLog _accessLog;
    private readonly TimeSpan _initialLoadWait;
    private readonly GatewayError _notLoaded;
    private readonly OperatorConsole.LiveTraffic? _traffic;

    internal GatewayRequestHandler(
        GatewaySnapshotProvider snapshots,
        IEnumerable<IGatewayStep> steps,
        IOptions<GatewayOptions> options,
        TimeProvider time,
        AccessLog accessLog,
        OperatorConsole.LiveTraffic? traffic = null)
    {
        _snapshots = snapshots;
        _steps = [.. steps];
        _stepSpanNames = Array.ConvertAll(_steps, GatewayTracing.StepSpanName);
        _time = time;
        _accessLog = accessLog;
        _traffic = traffic;
        _initialLoadWait = TimeSpan.FromSeconds(options.Value.Configuration.InitialLoadWaitSeconds);
        _notLoaded = GatewayError.ConfigurationNotLoaded.WithHeader("Retry-After",
            options.Value.Configuration.RefreshIntervalSeconds.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Handles one request end to end. Never throws for a client's or a backend's failure.</summary>
    public async Task HandleAsync(HttpContext context)
    {
        var started = _time.GetTimestamp();
        using var span = GatewayTracing.StartRequest(context);
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
            for (var i = 0; i < _steps.Length; i++)
            {
                using var stepSpan = GatewayTracing.StartStep(span, _stepSpanNames[i]);
                var result = await _steps[i].InvokeAsync(context, feature).ConfigureAwait(false);
                if (stepSpan is not null)
                {
                    GatewayTracing.EndStep(stepSpan, result, feature);
                }

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
            RecordCompletion(context, feature, span, _time.GetElapsedTime(started));
        }
    }

    // Everything that reports a finished request: metrics, the request's span and the access log. Nothing here formats
    // text: the access log queues references for its background writer.
    private void RecordCompletion(HttpContext context, GatewayRequestFeature? feature, Activity? span, TimeSpan elapsed)
    {
        var route = feature?.Route;
        var routeKey = route?.Id.Key ?? string.Empty;
        var backend = feature?.Backend?.Id.Key ?? string.Empty;
        var errorCode = feature?.ErrorCode;
        var status = errorCode == "client_aborted" ? 499 : context.Response.StatusCode;
        var outcome = errorCode ?? (status < 500 ? "ok" : "backend_error");
        var boxedStatus = BoxedStatusCodes.Of(status);
        if (GatewayTelemetry.Requests.Enabled || GatewayTelemetry.RequestDuration.Enabled)
        {
            var tags = new TagList { { "route", routeKey }, { "backend", backend }, { "status_code", boxedStatus }, { "outcome", outcome } };
            GatewayTelemetry.Requests.Add(1, tags);
            GatewayTelemetry.RequestDuration.Record(elapsed.TotalMilliseconds, tags);
        }

        _traffic?.Record(context, feature, status, outcome, elapsed);

        if (GatewayTelemetry.ServerRequestDuration.Enabled)
        {
            var tags = new TagList
            {
                { "http.route", route?.Path.Text ?? string.Empty }, { "http.request.method", context.Request.Method },
                { "http.response.status_code", boxedStatus }, { "gateway.route", routeKey }, { "gateway.backend", backend },
                { "gateway.outcome", outcome },
            };
            if (errorCode is not null)
            {
                tags.Add("error.type", errorCode);
            }

            GatewayTelemetry.ServerRequestDuration.Record(elapsed.TotalSeconds, tags);
        }

        if (span is not null)
        {
            GatewayTracing.EndRequest(span, context, feature, status, outcome);
        }

        if (_accessLog.ShouldRecord(status, errorCode))
        {
            var traceId = Activity.Current?.TraceId ?? default;
            _accessLog.Record(new AccessLogEntry(context.Request.Method, context.Request.Path.Value ?? "/", routeKey, backend, status, outcome,
                elapsed.TotalMilliseconds, context.Connection.RemoteIpAddress, traceId,
                traceId == default ? context.TraceIdentifier : null, feature?.Identity));
        }
    }
}
