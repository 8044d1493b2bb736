using FunctionsGateway.Routing;
using Microsoft.AspNetCore.Http;

namespace FunctionsGateway.Pipeline.Steps;

/// <summary>
/// Finds the request's route in the snapshot and sets <see cref="GatewayRequestFeature.Route"/>; 404
/// <c>route_not_found</c> or 405 <c>method_not_allowed</c> (with <c>Allow</c>) when there is none.
/// </summary>
internal sealed class MatchRouteStep : IGatewayStep
{
    public ValueTask<GatewayStepResult> InvokeAsync(HttpContext context, GatewayRequestFeature feature)
    {
        var match = feature.Snapshot.Matcher.Match(context.Request);
        if (match.Route is not { } route)
        {
            // A refusal forwards nothing, also when a less protected route would have taken the request (RouteMatcher).
            return GatewayStepResult.Fail(match.Refusal == RouteRefusal.MethodNotAllowed
                ? GatewayError.MethodNotAllowed(match.Allow)
                : GatewayError.RouteNotFound);
        }

        feature.Route = route;
        return GatewayStepResult.Continue;
    }
}
