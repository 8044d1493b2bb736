using FunctionsGateway.Forwarding;
using FunctionsGateway.Routing;
using Microsoft.AspNetCore.Http;

namespace FunctionsGateway.Pipeline.Steps;

/// <summary>
/// Picks a backend of the route's pool (<see cref="BackendSelector"/>) and sets <see cref="GatewayRequestFeature.Backend"/>;
/// 503 <c>no_backend</c> when the pool is missing or has no backend that can take traffic.
/// </summary>
internal sealed class SelectBackendStep : IGatewayStep
{
    public ValueTask<GatewayStepResult> InvokeAsync(HttpContext context, GatewayRequestFeature feature)
    {
        if (feature.MatchedRoute.Target is not PoolTarget target)
        {
            throw new InvalidOperationException($"Unknown route target {feature.MatchedRoute.Target.GetType().Name}.");
        }

        var backend = feature.Snapshot.Pools.TryGetValue(target.PoolName, out var pool)
            ? BackendSelector.Select(pool, Random.Shared.NextDouble())
            : null;
        if (backend is null)
        {
            return GatewayStepResult.Fail(GatewayError.NoBackend(target.PoolName));
        }

        feature.Backend = backend;
        return GatewayStepResult.Continue;
    }
}
