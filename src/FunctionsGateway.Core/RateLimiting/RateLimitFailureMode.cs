namespace FunctionsGateway.RateLimiting;

/// <summary>What happens when the counters cannot be reached (the <c>RateLimitFailure</c> column).</summary>
public enum RateLimitFailureMode
{
    /// <summary>Admit, within a local per-instance fallback limit.</summary>
    Open,

    /// <summary>Reject (503).</summary>
    Closed,
}
