using FunctionsGateway.Pipeline;
using FunctionsGateway.Routing;

namespace FunctionsGateway.Forwarding;

/// <summary>
/// Where a retry goes: the route's choice by the same rules as the first attempt (<see cref="BackendSelectionPolicy.SelectFor"/>:
/// healthy backends of the best tier, circuits not open, then the fallback pool, then panic), among the backends not tried
/// yet and not asking to be left alone (<c>Retry-After</c>); when none is left, the last backend tried again.
/// </summary>
internal sealed class PolicyRetryBackendSource(BackendSelectionPolicy policy, BackendCircuitBreakers breakers) : IRetryBackendSource
{
    public BackendDefinition? Next(GatewayRequestFeature feature, IReadOnlyList<BackendDefinition> tried)
    {
        var route = feature.MatchedRoute;
        if (route.Target is not PoolTarget target || !feature.Snapshot.Pools.TryGetValue(target.PoolName, out var pool))
        {
            return null;
        }

        // Only on the retry path: the list is built for the request that failed, never for one that succeeds at once.
        var exclude = new List<BackendDefinition>(tried);
        AddWaiting(exclude, pool);
        if (route.FallbackPool is { } fallback && feature.Snapshot.Pools.TryGetValue(fallback, out var fallbackPool))
        {
            AddWaiting(exclude, fallbackPool);
        }

        return policy.SelectFor(route, feature.Snapshot, exclude).Backend ?? tried[^1];
    }

    private void AddWaiting(List<BackendDefinition> exclude, PoolDefinition pool)
    {
        foreach (var backend in pool.Backends)
        {
            if (breakers.IsRetryAfterPending(backend))
            {
                exclude.Add(backend);
            }
        }
    }
}
