using FunctionsGateway.Routing;

namespace FunctionsGateway.Forwarding;

/// <summary>
/// Picks the backend for one request: among a pool's enabled backends with a weight above 0, only the best
/// (lowest) priority tier is used, and within it each backend gets traffic in proportion to its weight.
/// </summary>
internal static class BackendSelector
{
    /// <summary>The chosen backend, or null when the pool has none that can take traffic.</summary>
    /// <param name="pool">The pool.</param>
    /// <param name="roll">A uniform random number in [0, 1); tests pass their own.</param>
    public static BackendDefinition? Select(PoolDefinition pool, double roll) => Select(pool, roll, 0, static (_, _) => true);

    /// <summary>The chosen backend among those <paramref name="eligible"/> also accepts, or null when none can take traffic.</summary>
    /// <param name="pool">The pool.</param>
    /// <param name="roll">A uniform random number in [0, 1); tests pass their own.</param>
    /// <param name="state">What <paramref name="eligible"/> needs, so a static lambda serves without allocating.</param>
    /// <param name="eligible">Whether a backend that can take traffic may be chosen for this request.</param>
    public static BackendDefinition? Select<TState>(PoolDefinition pool, double roll, TState state, Func<BackendDefinition, TState, bool> eligible)
    {
        var bestPriority = int.MaxValue;
        var totalWeight = 0;
        foreach (var backend in pool.Backends)
        {
            if (!CanTakeTraffic(backend) || !eligible(backend, state))
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
            return null;
        }

        var point = roll * totalWeight;
        BackendDefinition? last = null;
        foreach (var backend in pool.Backends)
        {
            if (!CanTakeTraffic(backend) || backend.Priority != bestPriority || !eligible(backend, state))
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

    private static bool CanTakeTraffic(BackendDefinition backend) => backend.Enabled && backend.Weight > 0;
}
