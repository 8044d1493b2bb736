using System.Diagnostics;
using FunctionsGateway.Forwarding;
using FunctionsGateway.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace FunctionsGateway.Pipeline.Steps;

/// <summary>
/// Injects the route's faults (<c>Fault*</c> columns), off unless a route asks: a share of requests is answered with
/// <c>FaultAbortStatus</c> (problem code <c>fault_injected</c>, header <c>X-Gateway-Fault: abort</c>) without calling the
/// backend, a share is delayed by <c>FaultDelayMs</c> (header <c>X-Gateway-Fault: delay</c>) within the route's deadline.
/// Each is counted (<c>gateway.faults.injected</c>), so chaos tests can tell an injected fault from a real one.
/// </summary>
internal sealed partial class FaultInjectionStep : IGatewayStep
{
    private readonly Random _random;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <param name="time">The clock the delay runs on.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="random">Decides which requests get a fault; tests pass one whose rolls they choose.</param>
    public FaultInjectionStep(TimeProvider time, ILogger<FaultInjectionStep> logger, Random? random = null)
    {
        _time = time;
        _logger = logger;
        _random = random ?? Random.Shared;
    }

    public ValueTask<GatewayStepResult> InvokeAsync(HttpContext context, GatewayRequestFeature feature)
    {
        var route = feature.MatchedRoute;
        if (route.Faults is not { } faults)
        {
            return GatewayStepResult.Continue;
        }

        if (faults.AbortPercent > 0 && _random.NextDouble() * 100 < faults.AbortPercent)
        {
            Count(route.Id.Key, "abort");
            Log.Injected(_logger, "abort", route.Id.Key);
            return GatewayStepResult.Fail(GatewayError.FaultInjected(faults.AbortStatus));
        }

        if (faults.DelayPercent > 0 && _random.NextDouble() * 100 < faults.DelayPercent)
        {
            Count(route.Id.Key, "delay");
            Log.Injected(_logger, "delay", route.Id.Key);
            context.Response.Headers["X-Gateway-Fault"] = "delay";
            return DelayAsync(faults.Delay, context.RequestAborted);
        }

        return GatewayStepResult.Continue;
    }

    private async ValueTask<GatewayStepResult> DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        // A client that goes away cancels the delay; the handler records it as client_aborted.
        await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        return GatewayStepResult.Continue;
    }

    private static void Count(string route, string kind) =>
        GatewayTelemetry.FaultsInjected.Add(1, new TagList { { "route", route }, { "kind", kind } });

    private static partial class Log
    {
        [LoggerMessage(440, LogLevel.Debug, "Injected a fault ({Kind}) into a request of route {Route}.")]
        public static partial void Injected(ILogger logger, string kind, string route);
    }
}
