using FunctionsGateway.Pipeline;
using FunctionsGateway.Routing;

namespace FunctionsGateway.Forwarding;

/// <summary>
/// Retries over the pool as <see cref="BackendSelector"/> sees it: among enabled backends with a weight above 0 that were
/// not tried yet, whose circuit breaker is not open and that did not ask to be left alone (<c>Retry-After</c>), the best
/// priority tier, weighted; when none is left, the last backend tried again.
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

        var bestPriority = int.MaxValue;
        var totalWeight = 0;
        foreach (var backend in pool.Backends)
        {
            if (!IsCandidate(backend, tried))
            {
                continue;
            }

            if (backend.Priority < bestPriority)
            {
                bestPriority = backend.Priority;
                totalWeight = 0;
            }

            if (backend.Priority == bestPriority)
            {
                totalWeight += backend.Weight;
            }
        }

        if (totalWeight == 0)
        {
            return tried[^1];
        }

        var point = _random.NextDouble() * totalWeight;
        BackendDefinition? last = null;
        foreach (var backend in pool.Backends)
        {
            if (backend.Priority != bestPriority || !IsCandidate(backend, tried))
            {
                continue;
            }

            last = backend;
            point -= backend.Weight;
            if (point < 0)
            {
                return backend;
            }
        }

        return last;
    }

    private bool IsCandidate(BackendDefinition backend, IReadOnlyList<BackendDefinition> tried)
    {
        if (!backend.Enabled || backend.Weight <= 0 || breakers.IsOpen(backend) || breakers.IsRetryAfterPending(backend))
        {
            return false;
        }

        foreach (var previous in tried)
        {
            if (ReferenceEquals(previous, backend) || previous.Id == backend.Id)
            {
                return false;
            }
        }

        return true;
    }
}
