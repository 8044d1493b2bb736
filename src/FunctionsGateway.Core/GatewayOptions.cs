using FunctionsGateway.Configuration;
using FunctionsGateway.Forwarding;
using FunctionsGateway.Routing;
using FunctionsGateway.Storage;

namespace FunctionsGateway;

/// <summary>
/// All settings of the gateway, bound from the configuration section <c>Gateway</c>
/// (app settings <c>Gateway__Section__Name</c>). Validated at start; every problem is reported at once.
/// </summary>
public sealed class GatewayOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "Gateway";

    /// <summary>Where the tables live.</summary>
    public StorageOptions Storage { get; set; } = new();

    /// <summary>The names of the tables.</summary>
    public TableNames Tables { get; set; } = new();

    /// <summary>How routes and backends are loaded.</summary>
    public ConfigurationOptions Configuration { get; set; } = new();

    /// <summary>How requests are forwarded.</summary>
    public ForwardingOptions Forwarding { get; set; } = new();

    /// <summary>Which request paths are refused before matching.</summary>
    public PathOptions Paths { get; set; } = new();

    /// <summary>Active health checks of backends.</summary>
    public Health.HealthOptions Health { get; set; } = new();
}
