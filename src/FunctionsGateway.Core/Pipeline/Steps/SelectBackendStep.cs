using System.Diagnostics;
using FunctionsGateway.Forwarding;
using FunctionsGateway.Routing;
using FunctionsGateway.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace FunctionsGateway.Pipeline.Steps;

/// <summary>
/// Picks the backend with <see cref="BackendSelectionPolicy"/> and sets <see cref="GatewayRequestFeature.Backend"/> and
/// <see cref="GatewayRequestFeature.Selection"/>; answers the route's fallback response itself when that is the choice;
/// 503 <c>no_backend</c> when the pool is missing or has no enabled backend. Every choice is counted
/// (<c>gateway.backend.selections</c>) and tagged on the activity (<c>gateway.selection</c>); panic is logged.
/// </summary>
internal sealed partial class SelectBackendStep(BackendSelectionPolicy policy, TimeProvider time, ILogger<SelectBackendStep> logger) : IGatewayStep
{
    // Panic lasts as long as the outage, one log line per request would bury it: at most one line per interval.
    private static readonly TimeSpan PanicLogInterval = TimeSpan.FromSeconds(10);
    private long _nextPanicLog;

    public ValueTask<GatewayStepResult> InvokeAsync(HttpContext context, GatewayRequestFeature feature)
    {
        var route = feature.MatchedRoute;
        if (route.Target is not PoolTarget target)
        {
            throw new InvalidOperationException($"Unknown route target {route.Target.GetType().Name}.");
        }

        var selection = policy.SelectFor(route, feature.Snapshot, exclude: null);
        feature.Selection = selection.Kind;
        feature.Backend = selection.Backend;
        if (GatewayTelemetry.BackendSelections.Enabled)
        {
            GatewayTelemetry.BackendSelections.Add(1, new TagList
            {
                { "route", route.Id.Key }, { "pool", selection.Pool ?? target.PoolName }, { "selection", selection.KindName },
            });
        }

        Activity.Current?.SetTag("gateway.selection", selection.KindName);
        switch (selection.Kind)
        {
            case SelectionKind.None:
                return GatewayStepResult.Fail(GatewayError.NoBackend(target.PoolName));
            case SelectionKind.FallbackResponse:
                return StaticResponseStep.Answer(context, route.FallbackResponse!);
            case SelectionKind.Panic:
                LogPanic(route, target.PoolName, selection.Backend!);
                break;
        }

        return GatewayStepResult.Continue;
    }

    private void LogPanic(RouteDefinition route, string pool, BackendDefinition backend)
    {
        var now = time.GetTimestamp();
        var next = Interlocked.Read(ref _nextPanicLog);
        if (now >= next && Interlocked.CompareExchange(ref _nextPanicLog, now + (long)(PanicLogInterval.TotalSeconds * time.TimestampFrequency), next) == next)
        {
            Log.Panic(logger, route.Id.Key, pool, backend.Id.Key);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(430, LogLevel.Warning, "Route {Route}: no backend of pool {Pool} is eligible (all unhealthy or circuits open) and the route has no fallback; sending to {Backend} anyway (panic). Logged at most every 10 s; gateway.backend.selections counts each.")]
        public static partial void Panic(ILogger logger, string route, string pool, string backend);
    }
}
