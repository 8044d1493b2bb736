namespace FunctionsGateway.Health;

/// <summary>The columns of the <c>BackendHealth</c> table (docs/health.md), written by the prober, read by every instance.</summary>
internal static class BackendHealthColumns
{
    public const string Status = "Status";
    public const string CheckedAt = "CheckedAt";
    public const string LatencyMs = "LatencyMs";
    public const string ConsecutiveFailures = "ConsecutiveFailures";
    public const string ConsecutiveSuccesses = "ConsecutiveSuccesses";
    public const string LastError = "LastError";
}
