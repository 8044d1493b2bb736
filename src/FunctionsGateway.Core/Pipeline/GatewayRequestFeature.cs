using FunctionsGateway.Authentication;
using FunctionsGateway.Configuration;
using FunctionsGateway.Routing;

namespace FunctionsGateway.Pipeline;

/// <summary>What the gateway decided about one request, set on <c>HttpContext.Features</c> for the later steps and the access log.</summary>
internal sealed class GatewayRequestFeature
{
    public GatewayRequestFeature(GatewaySnapshot snapshot) => Snapshot = snapshot;

    public GatewaySnapshot Snapshot { get; }

    public RouteDefinition? Route { get; set; }

    public BackendDefinition? Backend { get; set; }

    /// <summary>Who is calling, once authenticated; anonymous callers have an identity too.</summary>
    public GatewayIdentity? Identity { get; set; }

    /// <summary>When the request arrived (<see cref="TimeProvider.GetTimestamp"/>): the route's deadline counts from here.</summary>
    public long StartedAt { get; init; }

    /// <summary>The running deadline while the request is being forwarded; disarmed when the response starts.</summary>
    public CancellationTokenSource? Deadline { get; set; }

    /// <summary>The stable error code when the gateway answered with an error, such as <c>backend_timeout</c>.</summary>
    public string? ErrorCode { get; set; }
}
