using System.Threading.RateLimiting;

namespace FunctionsGateway.RateLimiting;

/// <summary>
/// Makes the standard <see cref="PartitionedRateLimiter{TResource}"/> of one route's limit, partitioned by key:
/// each key gets its own <see cref="SharedWindowRateLimiter"/> over its own counter, in the shared store (leased,
/// exact) or in this instance's memory (local). Idle partitions are dropped by the framework; a dropped leased
/// partition forgets its unused tokens (they expire with their window).
/// </summary>
internal static class SharedRateLimiterPartitions
{
    public static PartitionedRateLimiter<string> Create(string routeId, RateLimitRule rule, RateLimitMode mode, IRateLimitCounterStore sharedStore, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var store = mode == RateLimitMode.Local ? new InMemoryRateLimitCounterStore() : sharedStore;
        var leased = mode == RateLimitMode.Leased;
        return PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.Get(
            RateLimitCounterName.For(routeId, rule, key),
            counter => new SharedWindowRateLimiter(new SlidingWindowCounter(store, counter, rule, time), leased, time)));
    }
}
