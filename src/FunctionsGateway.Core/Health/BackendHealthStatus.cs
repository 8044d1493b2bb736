namespace FunctionsGateway.Health;

/// <summary>What active health checks last concluded about a backend.</summary>
internal enum BackendHealthStatus
{
    /// <summary>No verdict: never probed (no <c>HealthPath</c>), no row yet, the thresholds not reached yet, or the row is stale. Gets traffic.</summary>
    Unknown = 0,

    /// <summary>Answered its health path with 2xx the healthy threshold's number of times in a row.</summary>
    Healthy = 1,

    /// <summary>Failed its health path the unhealthy threshold's number of times in a row. Gets no traffic while another backend can take it.</summary>
    Unhealthy = 2,
}
