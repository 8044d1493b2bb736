using FunctionsGateway.Authentication;
using FunctionsGateway.Configuration;
using FunctionsGateway.Routing;

namespace FunctionsGateway.Pipeline;

/// <summary>
/// What the gateway decided about one request, shared by the steps (<see cref="Steps.IGatewayStep"/>) and read by the
/// access log; set on <c>HttpContext.Features</c>.
/// </summary>
internal sealed class GatewayRequestFeature
{
    public GatewayRequestFeature(GatewaySnapshot snapshot) => Snapshot = snapshot;

    public GatewaySnapshot Snapshot { get; }

    /// <summary>The matched route, set by <see cref="Steps.MatchRouteStep"/>.</summary>
    public RouteDefinition? Route { get; set; }

    /// <summary>The backend the request goes to, set by <see cref="Steps.SelectBackendStep"/>.</summary>
    public BackendDefinition? Backend { get; set; }

    /// <summary>How <see cref="Backend"/> was chosen (primary, backup, fallback pool or response, panic), set by <see cref="Steps.SelectBackendStep"/>.</summary>
    public Forwarding.SelectionKind Selection { get; set; }

    /// <summary>The matched route, for the steps after <see cref="Steps.MatchRouteStep"/>; a step running before it is a bug.</summary>
    public RouteDefinition MatchedRoute =>
        Route ?? throw new InvalidOperationException("A step that needs the route runs before MatchRouteStep.");

    /// <summary>The selected backend, for the steps after <see cref="Steps.SelectBackendStep"/>; a step running before it is a bug.</summary>
    public BackendDefinition SelectedBackend =>
        Backend ?? throw new InvalidOperationException("A step that needs the backend runs before SelectBackendStep.");

    /// <summary>Who is calling, set by <see cref="Steps.AuthenticateStep"/>; anonymous callers have an identity too.</summary>
    public GatewayIdentity? Identity { get; set; }

    /// <summary>When the request arrived (<see cref="TimeProvider.GetTimestamp"/>): the route's deadline counts from here.</summary>
    public long StartedAt { get; init; }

    /// <summary>The running deadline while the request is being forwarded; disarmed when the response starts.</summary>
    public CancellationTokenSource? Deadline { get; set; }

    /// <summary>The request's retries (<see cref="Forwarding.RetryDecider"/>); null until it has a body to replay or a failed attempt.</summary>
    internal Forwarding.RetryState? Retry { get; set; }

    /// <summary>Backend attempts made so far (the first is 1), counted by <see cref="Steps.ForwardStep"/> for the attempts' spans.</summary>
    public int Attempts { get; set; }

    /// <summary>The stable error code when the gateway answered with an error, such as <c>backend_timeout</c>.</summary>
    public string? ErrorCode { get; set; }
}
