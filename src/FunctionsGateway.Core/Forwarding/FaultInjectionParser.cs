using FunctionsGateway.Configuration;

namespace FunctionsGateway.Forwarding;

/// <summary>Reads a route's <c>Fault*</c> columns into a <see cref="FaultInjection"/>; problems go to the row.</summary>
internal static class FaultInjectionParser
{
    /// <summary>The status of an injected abort when <c>FaultAbortStatus</c> is not set.</summary>
    public const int DefaultAbortStatus = 503;

    /// <summary>The longest injected delay, in milliseconds.</summary>
    public const int MaxDelayMs = 60_000;

    /// <summary>The route's faults, or null when it injects none (every percentage 0 or absent).</summary>
    /// <param name="row">The row.</param>
    /// <param name="requestTimeoutSeconds">The route's deadline: an injected delay must leave room within it.</param>
    public static FaultInjection? Parse(RowReader row, int requestTimeoutSeconds)
    {
        var abortPercent = row.Int(RouteColumns.FaultAbortPercent, 0, 0, 100);
        var abortStatus = row.Int(RouteColumns.FaultAbortStatus, DefaultAbortStatus, 400, 599);
        var delayPercent = row.Int(RouteColumns.FaultDelayPercent, 0, 0, 100);
        var delayMs = row.Int(RouteColumns.FaultDelayMs, 0, 0, MaxDelayMs);

        if (row.Has(RouteColumns.FaultAbortStatus) && !row.Has(RouteColumns.FaultAbortPercent))
        {
            row.Error(RouteColumns.FaultAbortStatus, "is set without FaultAbortPercent, so no request would be aborted; add FaultAbortPercent (1–100) or remove FaultAbortStatus");
        }

        if (delayPercent > 0 && delayMs == 0)
        {
            row.Error(RouteColumns.FaultDelayPercent, $"is {delayPercent} but FaultDelayMs is not set, so there is no delay to inject; add FaultDelayMs (1–{MaxDelayMs}) or remove FaultDelayPercent");
        }

        if (row.Has(RouteColumns.FaultDelayMs) && !row.Has(RouteColumns.FaultDelayPercent))
        {
            row.Error(RouteColumns.FaultDelayMs, "is set without FaultDelayPercent, so no request would be delayed; add FaultDelayPercent (1–100) or remove FaultDelayMs");
        }

        if (delayMs >= requestTimeoutSeconds * 1000L)
        {
            row.Error(RouteColumns.FaultDelayMs, $"{delayMs} ms does not leave room within the route's deadline of {requestTimeoutSeconds} s (RequestTimeoutSeconds), so every delayed request would time out; write less than {requestTimeoutSeconds * 1000}");
        }

        return abortPercent == 0 && delayPercent == 0
            ? null
            : new FaultInjection(abortPercent, abortStatus, delayPercent, TimeSpan.FromMilliseconds(delayMs));
    }
}
