using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;

namespace FunctionsGateway.RateLimiting;

/// <summary>
/// Makes the standard <see cref="PartitionedRateLimiter{TResource}"/> of one route's limit, partitioned by key:
/// each key gets its own <see cref="SharedWindowRateLimiter"/> over its own counter, in the shared store (leased,
/// exact) or in this instance's memory (local). A key's limiter reports how long it has been idle, and the framework
/// drops one idle for more than 10 s (<see cref="PartitionedRateLimiter.Create{TResource, TPartitionKey}"/>), so a key
/// that stops sending does not keep a limiter; a dropped leased partition forgets its unused tokens (they expire with
/// their window). The counts kept in memory (local mode, and the fallback of the shared modes) outlive the key's
/// limiter, so a key back within the window is still counted; rows of windows no estimate reads any more are removed
/// whenever a key's limiter is created (<see cref="InMemoryRateLimitCounterStore.RemoveExpired"/>). With the shared
/// store, the failure policy applies (<see cref="StoreFallbackRateLimiter"/>); pass a
/// <see cref="ResilientCounterStore"/> so storage calls have a timeout and a circuit breaker.
/// </summary>
internal static class SharedRateLimiterPartitions
{
    /// <param name="counterScope">What the counters belong to: the route id, or the route id and plan (<see cref="RateLimitCounterName"/>).</param>
    /// <param name="rule">The limit.</param>
    /// <param name="mode">How counts are shared.</param>
    /// <param name="failure">What happens when the shared store fails.</param>
    /// <param name="sharedStore">The shared counters.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">Logs store failures.</param>
    /// <param name="memory">The counts kept in this instance's memory; a new store when null.</param>
    public static PartitionedRateLimiter<string> Create(
        string counterScope,
        RateLimitRule rule,
        RateLimitMode mode,
        RateLimitFailureMode failure,
        IRateLimitCounterStore sharedStore,
        TimeProvider time,
        ILogger logger,
        InMemoryRateLimitCounterStore? memory = null)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var local = memory ?? new InMemoryRateLimitCounterStore();
        var leased = mode == RateLimitMode.Leased;
        Func<string, RateLimiter> create = mode == RateLimitMode.Local
            ? key =>
            {
                local.RemoveExpired(rule, time);
                var counter = RateLimitCounterName.For(counterScope, rule, key);
                return new SharedWindowRateLimiter(new SlidingWindowCounter(local, counter, rule, time), leased: false, time);
            }
            : key =>
            {
                local.RemoveExpired(rule, time);
                var counter = RateLimitCounterName.For(counterScope, rule, key);
                return new StoreFallbackRateLimiter(
                    new SharedWindowRateLimiter(new SlidingWindowCounter(sharedStore, counter, rule, time), leased, time),
                    new SharedWindowRateLimiter(new SlidingWindowCounter(local, counter, rule, time), leased: false, time),
                    failure,
                    logger);
            };

        // Partitioned by the key itself: the counter's name (a SHA-256) is computed once per partition, not per request.
        return PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.Get(key, create));
    }
}
