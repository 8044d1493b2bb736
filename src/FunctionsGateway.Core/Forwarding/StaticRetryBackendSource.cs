using FunctionsGateway.Pipeline;
using FunctionsGateway.Routing;

namespace FunctionsGateway.Forwarding;

/// <summary>
/// Retries over the pool as <see cref="BackendSelector"/> sees it: among the backends it would choose that were not tried
/// yet, whose circuit breaker is not open and that did not ask to be left alone (<c>Retry-After</c>), the best priority
/// tier, weighted; when none is left, the last backend tried again.
/// </summary>
internal sealed class StaticRetryBackendSource(BackendCircuitBreakers breakers, Random? random = null) : IRetryBackendSource
{
    private readonly Random _random = random ?? Random.Shared;

    public BackendDefinition? Next(GatewayRequestFeature feature, IReadOnlyList<BackendDefinition> tried)
    {
        if (feature.MatchedRoute.Target is not PoolTarget target || !feature.Snapshot.Pools.TryGetValue(target.PoolName, out var pool))
        {
            return null;
        }

        return BackendSelector.Select(pool, _random.NextDouble(), (Breakers: breakers, Tried: tried), static (backend, state) => IsCandidate(backend, state.Breakers, state.Tried))
            ?? tried[^1];
    }

    private static bool IsCandidate(BackendDefinition backend, BackendCircuitBreakers breakers, IReadOnlyList<BackendDefinition> tried)
    {
        if (breakers.IsOpen(backend) || breakers.IsRetryAfterPending(backend))
        {
            return false;
        }

        for (var i = 0; i < tried.Count; i++)
        {
            if (ReferenceEquals(tried[i], backend) || tried[i].Id == backend.Id)
            {
                return false;
            }
        }

        return true;
    }
}
