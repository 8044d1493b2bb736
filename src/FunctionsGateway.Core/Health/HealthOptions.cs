namespace FunctionsGateway.Health;

/// <summary>
/// Active health checks (docs/health.md): how backends are probed and how the <c>BackendHealth</c> rows are read.
/// The probe schedule itself is the host's app setting <c>HealthProbeSchedule</c>.
/// </summary>
public sealed class HealthOptions
{
    /// <summary>How long one probe may take before it counts as failed; each backend has its own. The default value is 5 seconds.</summary>
    public int ProbeTimeoutSeconds { get; set; } = 5;

    /// <summary>Failed probes in a row after which a backend is unhealthy. The default value is 2.</summary>
    public int UnhealthyThreshold { get; set; } = 2;

    /// <summary>Successful probes in a row after which a backend is healthy again. The default value is 2.</summary>
    public int HealthyThreshold { get; set; } = 2;

    /// <summary>How often every instance reads the <c>BackendHealth</c> rows. The default value is 10 seconds.</summary>
    public int RowRefreshIntervalSeconds { get; set; } = 10;

    /// <summary>
    /// Age after which a row counts as unknown rather than as its status (the prober stopped, or the backend is no
    /// longer probed); keep it a few probe intervals. The default value is 120 seconds (four 30-second intervals).
    /// </summary>
    public int StaleAfterSeconds { get; set; } = 120;
}
