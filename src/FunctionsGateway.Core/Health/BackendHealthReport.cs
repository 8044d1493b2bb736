namespace FunctionsGateway.Health;

/// <summary>One <c>BackendHealth</c> row: the prober's verdict on a backend and the counts the next verdict starts from.</summary>
/// <param name="Status">The verdict after the thresholds.</param>
/// <param name="CheckedAt">When the probe ran.</param>
/// <param name="LatencyMs">How long the probe took, in milliseconds (until the answer or the failure).</param>
/// <param name="ConsecutiveFailures">Failed probes in a row, 0 after a success.</param>
/// <param name="ConsecutiveSuccesses">Successful probes in a row, 0 after a failure.</param>
/// <param name="LastError">Why the last probe failed, with credentials hidden; null after a success.</param>
internal sealed record BackendHealthReport(
    BackendHealthStatus Status,
    DateTimeOffset CheckedAt,
    double LatencyMs,
    int ConsecutiveFailures,
    int ConsecutiveSuccesses,
    string? LastError);
