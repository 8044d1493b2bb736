using FunctionsGateway.Configuration;
using FunctionsGateway.Health;
using FunctionsGateway.Routing;

namespace FunctionsGateway.Forwarding;

/// <summary>
/// Chooses the backend of a request (docs/health.md#selection). Eligible: enabled, <c>Weight</c> above 0, not known
/// unhealthy (unknown counts as eligible) and circuit not open. Only the best (lowest) <c>Priority</c> tier with an
/// eligible backend is used, so backups serve only when every better tier has none. Within the tier, two candidates are
/// drawn by weight, independently (power of two choices); the second replaces the first only when its cost (latency
/// average × (calls in flight + 1)) is materially lower: less than half, and by at least <see cref="MaterialDifferenceMs"/>.
/// So among backends of similar latency traffic follows the weights exactly, while a much slower or busier backend loses
/// every pairing it is in, but still gets its share of the pairings with itself and so keeps being measured.
/// Nothing on the success path allocates.
/// </summary>
internal sealed class BackendSelectionPolicy(BackendStateRegistry states, TimeProvider time, IRandomSource random)
{
    /// <summary>Cost differences smaller than this are noise (a connection set up, a pause), not worth overriding the weights.</summary>
    public const double MaterialDifferenceMs = 10;

    // A tier no backend can have: in panic every backend that takes traffic is a candidate, in any tier and any health.
    private const int Panic = -1;

    /// <summary>
    /// A backend of <paramref name="pool"/> (<see cref="SelectionKind.Primary"/> or <see cref="SelectionKind.Backup"/>), or
    /// <see cref="BackendSelection.None"/> when none is eligible. <paramref name="exclude"/> names backends already tried
    /// (a retry on another backend); they are not chosen again.
    /// </summary>
    public BackendSelection Select(PoolDefinition pool, IReadOnlyCollection<BackendDefinition>? exclude)
    {
        var now = time.GetUtcNow();
        var poolStates = states.Of(pool);
        var backends = pool.Backends;
        var firstTier = int.MaxValue;
        var bestTier = int.MaxValue;
        for (var i = 0; i < backends.Length; i++)
        {
            var backend = backends[i];
            if (!TakesTraffic(backend))
            {
                continue;
            }

            firstTier = Math.Min(firstTier, backend.Priority);
            if (backend.Priority < bestTier && !IsExcluded(backend, exclude) && IsEligible(poolStates[i], now))
            {
                bestTier = backend.Priority;
            }
        }

        return bestTier == int.MaxValue
            ? BackendSelection.None
            : new BackendSelection(PickOfTwo(pool, poolStates, bestTier, exclude, now), bestTier == firstTier ? SelectionKind.Primary : SelectionKind.Backup, pool.Name);
    }

    /// <summary>
    /// The route's choice: its pool (<see cref="Select"/>); when that has no eligible backend its <c>FallbackPool</c> (that
    /// pool's own selection, no further fallback); else its static <c>Response*</c>; else panic: any enabled backend of its
    /// own pool with a weight, whatever its health or circuit, rather than refusing. <see cref="BackendSelection.None"/>
    /// only when the pool has no enabled backend at all.
    /// </summary>
    public BackendSelection SelectFor(RouteDefinition route, GatewaySnapshot snapshot, IReadOnlyCollection<BackendDefinition>? exclude)
    {
        if (route.Target is not PoolTarget target)
        {
            throw new InvalidOperationException($"Route {route.Id} answers by itself; only routes with a pool select a backend.");
        }

        var hasPool = snapshot.Pools.TryGetValue(target.PoolName, out var pool);
        if (hasPool)
        {
            var selection = Select(pool!, exclude);
            if (selection.Backend is not null)
            {
                return selection;
            }
        }

        if (route.FallbackPool is { } fallbackName && snapshot.Pools.TryGetValue(fallbackName, out var fallback)
            && Select(fallback, exclude) is { Backend: { } fallbackBackend })
        {
            return new BackendSelection(fallbackBackend, SelectionKind.FallbackPool, fallback.Name);
        }

        if (route.FallbackResponse is not null)
        {
            return new BackendSelection(null, SelectionKind.FallbackResponse, null);
        }

        return hasPool && HasPanicCandidate(pool!, exclude)
            ? new BackendSelection(PickOfTwo(pool!, states.Of(pool!), Panic, exclude, time.GetUtcNow()), SelectionKind.Panic, pool!.Name)
            : BackendSelection.None;
    }

    private static bool TakesTraffic(BackendDefinition backend) => backend.Enabled && backend.Weight > 0;

    private static bool HasPanicCandidate(PoolDefinition pool, IReadOnlyCollection<BackendDefinition>? exclude)
    {
        foreach (var backend in pool.Backends)
        {
            if (TakesTraffic(backend) && !IsExcluded(backend, exclude))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsExcluded(BackendDefinition backend, IReadOnlyCollection<BackendDefinition>? exclude)
    {
        if (exclude is null)
        {
            return false;
        }

        foreach (var tried in exclude)
        {
            if (tried.Id == backend.Id)
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsEligible(BackendState state, DateTimeOffset now) =>
        !state.CircuitOpen && state.StatusAt(now) != BackendHealthStatus.Unhealthy;

    private static bool IsCandidate(BackendDefinition backend, BackendState state, int tier, IReadOnlyCollection<BackendDefinition>? exclude, DateTimeOffset now) =>
        TakesTraffic(backend) && !IsExcluded(backend, exclude) && (tier == Panic || (backend.Priority == tier && IsEligible(state, now)));

    private BackendDefinition PickOfTwo(
        PoolDefinition pool, BackendState[] poolStates, int tier, IReadOnlyCollection<BackendDefinition>? exclude, DateTimeOffset now)
    {
        long totalWeight = 0;
        var count = 0;
        for (var i = 0; i < poolStates.Length; i++)
        {
            if (IsCandidate(pool.Backends[i], poolStates[i], tier, exclude, now))
            {
                totalWeight += pool.Backends[i].Weight;
                count++;
            }
        }

        var first = PickByWeight(pool, poolStates, tier, exclude, now, totalWeight);
        if (count == 1)
        {
            return pool.Backends[first];
        }

        var second = PickByWeight(pool, poolStates, tier, exclude, now, totalWeight);
        return second != first && IsMateriallyCheaper(poolStates[second].Cost, poolStates[first].Cost) ? pool.Backends[second] : pool.Backends[first];
    }

    private static bool IsMateriallyCheaper(double cost, double than) => cost * 2 < than && than - cost >= MaterialDifferenceMs;

    // The index of the candidate the draw lands on.
    private int PickByWeight(PoolDefinition pool, BackendState[] poolStates, int tier, IReadOnlyCollection<BackendDefinition>? exclude, DateTimeOffset now, long totalWeight)
    {
        var point = random.NextDouble() * totalWeight;
        var last = -1;
        for (var i = 0; i < poolStates.Length; i++)
        {
            if (!IsCandidate(pool.Backends[i], poolStates[i], tier, exclude, now))
            {
                continue;
            }

            last = i;
            point -= pool.Backends[i].Weight;
            if (point < 0)
            {
                return i;
            }
        }

        return last >= 0 ? last : throw new InvalidOperationException($"Pool '{pool.Name}' has no candidate to pick; callers check there is one.");
    }
}
