namespace FunctionsGateway.Health;

/// <summary>
/// The next verdict from the previous row and one probe: unhealthy after <c>UnhealthyThreshold</c> failures in a row,
/// healthy after <c>HealthyThreshold</c> successes in a row, otherwise the previous verdict stands. The counts travel in
/// the rows because the next probe may run on another instance.
/// </summary>
internal static class HealthThresholds
{
    // Far above any threshold; keeps a backend that fails for years from overflowing its count.
    private const int CountCap = 1_000_000;

    /// <param name="previous">The previous row, or null for none (or a stale one, which counts as none).</param>
    /// <param name="succeeded">Whether this probe succeeded.</param>
    /// <param name="options">The thresholds.</param>
    /// <param name="checkedAt">When this probe ran.</param>
    /// <param name="latencyMs">How long it took.</param>
    /// <param name="error">Why it failed; null when it succeeded.</param>
    public static BackendHealthReport Next(
        BackendHealthReport? previous, bool succeeded, HealthOptions options, DateTimeOffset checkedAt, double latencyMs, string? error)
    {
        var status = previous?.Status ?? BackendHealthStatus.Unknown;
        var failures = succeeded ? 0 : Math.Min((previous?.ConsecutiveFailures ?? 0) + 1, CountCap);
        var successes = succeeded ? Math.Min((previous?.ConsecutiveSuccesses ?? 0) + 1, CountCap) : 0;
        if (failures >= options.UnhealthyThreshold)
        {
            status = BackendHealthStatus.Unhealthy;
        }
        else if (successes >= options.HealthyThreshold)
        {
            status = BackendHealthStatus.Healthy;
        }

        return new BackendHealthReport(status, checkedAt, latencyMs, failures, successes, succeeded ? null : error);
    }
}
