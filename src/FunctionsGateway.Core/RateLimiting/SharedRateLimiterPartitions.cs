using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;

namespace FunctionsGateway.RateLimiting;

/// <summary>
/// Makes the standard <see cref="PartitionedRateLimiter{TResource}"/> of one route's limit, partitioned by key:
/// each key gets its own <see cref="SharedWindowRateLimiter"/> over its own counter, in the shared store (leased,
/// exact) or in this instance's memory (local). Idle partitions are dropped by the framework; a dropped leased
/// partition forgets its unused tokens (they expire with their window). With the shared store, the failure policy
/// applies (<see cref="StoreFallbackRateLimiter"/>); pass a <see cref="ResilientCounterStore"/> so storage calls
/// have a timeout and a circuit breaker.
/// </summary>
internal static class SharedRateLimiterPartitions
{
    public static PartitionedRateLimiter<string> Create(
        string routeId, RateLimitRule rule, RateLimitMode mode, RateLimitFailureMode failure, IRateLimitCounterStore sharedStore, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var memory = new InMemoryRateLimitCounterStore();
        if (mode == RateLimitMode.Local)
        {
            return PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.Get(
                RateLimitCounterName.For(routeId, rule, key),
                counter => new SharedWindowRateLimiter(new SlidingWindowCounter(memory, counter, rule, time), leased: false, time)));
        }

        var leased = mode == RateLimitMode.Leased;
        return PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.Get(
            RateLimitCounterName.For(routeId, rule, key),
            counter => new StoreFallbackRateLimiter(
                new SharedWindowRateLimiter(new SlidingWindowCounter(sharedStore, counter, rule, time), leased, time),
                new SharedWindowRateLimiter(new SlidingWindowCounter(memory, counter, rule, time), leased: false, time),
                failure,
                logger)));
    }
}
