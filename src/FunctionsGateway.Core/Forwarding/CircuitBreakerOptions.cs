namespace FunctionsGateway.Forwarding;

/// <summary>
/// The per-backend circuit breaker of each instance: when enough of a backend's attempts fail (connect failures, attempt
/// timeouts, 5xx), the backend is skipped for a while, then one trial request decides whether it is back.
/// </summary>
public sealed class CircuitBreakerOptions
{
    /// <summary>The share of failed attempts (0.01–1) within the sampling window that opens the breaker. The default value is 0.5.</summary>
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>Attempts a backend must have had within the window before the breaker may open. The default value is 5.</summary>
    public int MinimumThroughput { get; set; } = 5;

    /// <summary>The window over which failures are counted, in seconds. The default value is 10 seconds.</summary>
    public int SamplingDurationSeconds { get; set; } = 10;

    /// <summary>How long an open breaker keeps the backend out before one trial request is let through. The default value is 5 seconds.</summary>
    public int BreakDurationSeconds { get; set; } = 5;
}
