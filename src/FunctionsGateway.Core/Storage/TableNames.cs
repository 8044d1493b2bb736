namespace FunctionsGateway.Storage;

/// <summary>The names of the gateway's tables (docs/routes.md). Each is a setting so several gateways can share an account.</summary>
public sealed class TableNames
{
    /// <summary>Operator-edited routes. The default value is <c>Routes</c>.</summary>
    public string Routes { get; set; } = "Routes";

    /// <summary>Operator-edited backend pools. The default value is <c>Backends</c>.</summary>
    public string Backends { get; set; } = "Backends";

    /// <summary>Written by the health prober. The default value is <c>BackendHealth</c>.</summary>
    public string BackendHealth { get; set; } = "BackendHealth";

    /// <summary>Hashed API keys. The default value is <c>ApiKeys</c>.</summary>
    public string ApiKeys { get; set; } = "ApiKeys";

    /// <summary>Machine-written rate-limit counters. The default value is <c>RateLimits</c>.</summary>
    public string RateLimits { get; set; } = "RateLimits";

    /// <summary>
    /// Machine-written copies of the last valid version of every Routes and Backends row, shared by all instances.
    /// The default value is <c>LastValidRows</c>.
    /// </summary>
    public string LastValidRows { get; set; } = "LastValidRows";
}
