using FunctionsGateway.Configuration;

namespace FunctionsGateway.Routing;

/// <summary>A validated backend, built from one row of the <c>Backends</c> table (or a route's <c>Backend</c> shorthand).</summary>
public sealed record BackendDefinition
{
    /// <summary>The row it came from.</summary>
    public required RowId Id { get; init; }

    /// <summary>The absolute http/https base address requests are sent to.</summary>
    public required Uri Url { get; init; }

    /// <summary>Relative share of traffic among backends of the same priority; 0 drains. The default value is 1.</summary>
    public int Weight { get; init; } = 1;

    /// <summary>Lower tiers are preferred; higher numbers are backups. The default value is 0.</summary>
    public int Priority { get; init; }

    /// <summary>The path the health prober calls; null disables active probes. The default value is <c>/health</c>.</summary>
    public string? HealthPath { get; init; } = "/health";

    /// <summary>Disabled backends get no traffic. The default value is true.</summary>
    public bool Enabled { get; init; } = true;
}
