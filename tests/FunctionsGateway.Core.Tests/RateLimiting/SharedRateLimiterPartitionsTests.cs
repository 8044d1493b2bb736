using FunctionsGateway.RateLimiting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace FunctionsGateway.Core.Tests.RateLimiting;

/// <summary>A route's limit as a standard partitioned limiter: one counter per key, in the shared store or in memory.</summary>
public sealed class SharedRateLimiterPartitionsTests
{
    private static readonly RateLimitRule TwoPerMinute = new(2, TimeSpan.FromMinutes(1), "2/1m");

    private readonly ScriptedCounterStore _store = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));

    [Theory]
    [InlineData(RateLimitMode.Leased)]
    [InlineData(RateLimitMode.Exact)]
    [InlineData(RateLimitMode.Local)]
    public async Task Acquire_TwoKeys_EachHasItsOwnLimit(RateLimitMode mode)
    {
        using var limiter = SharedRateLimiterPartitions.Create("r1", TwoPerMinute, mode, RateLimitFailureMode.Open, _store, _time, NullLogger.Instance);

        var contoso = new List<bool>();
        for (var i = 0; i < 3; i++)
        {
            using var lease = await limiter.AcquireAsync("contoso");
            contoso.Add(lease.IsAcquired);
        }

        using var fabrikam = await limiter.AcquireAsync("fabrikam");

        Assert.Equal([true, true, false], contoso);
        Assert.True(fabrikam.IsAcquired);
    }

    [Theory]
    [InlineData(RateLimitMode.Leased, true)]
    [InlineData(RateLimitMode.Exact, true)]
    [InlineData(RateLimitMode.Local, false)]
    public async Task Acquire_Mode_UsesTheSharedStoreUnlessLocal(RateLimitMode mode, bool usesStore)
    {
        using var limiter = SharedRateLimiterPartitions.Create("r1", TwoPerMinute, mode, RateLimitFailureMode.Open, _store, _time, NullLogger.Instance);

        (await limiter.AcquireAsync("contoso")).Dispose();

        Assert.Equal(usesStore, _store.Operations > 0);
    }

    [Fact]
    public async Task Partition_KeyIdleForMoreThanTenSeconds_IsDropped()
    {
        var hundred = new RateLimitRule(100, TimeSpan.FromMinutes(1), "100/1m");
        using var limiter = SharedRateLimiterPartitions.Create("r1", hundred, RateLimitMode.Leased, RateLimitFailureMode.Open, _store, _time, NullLogger.Instance);
        (await limiter.AcquireAsync("gone-quiet")).Dispose();
        var heldWhileActive = limiter.GetStatistics("gone-quiet")?.CurrentAvailablePermits;

        // The framework looks for idle partitions every 100 ms of real time; the limiter's idle time is on the fake clock.
        _time.Advance(TimeSpan.FromSeconds(11));
        var dropped = await PollAsync(() => limiter.GetStatistics("gone-quiet")?.CurrentAvailablePermits == 0);

        Assert.Equal(9, heldWhileActive);
        Assert.True(dropped, "the idle key's limiter (holding 9 leased tokens) was not dropped");
    }

    [Fact]
    public async Task Partition_KeyUsedWithinTenSeconds_IsKept()
    {
        var hundred = new RateLimitRule(100, TimeSpan.FromMinutes(1), "100/1m");
        using var limiter = SharedRateLimiterPartitions.Create("r1", hundred, RateLimitMode.Leased, RateLimitFailureMode.Open, _store, _time, NullLogger.Instance);
        (await limiter.AcquireAsync("active")).Dispose();

        _time.Advance(TimeSpan.FromSeconds(9));
        var dropped = await PollAsync(() => limiter.GetStatistics("active")?.CurrentAvailablePermits == 0, TimeSpan.FromMilliseconds(500));

        Assert.False(dropped);
    }

    [Theory]
    [InlineData(RateLimitMode.Local)]
    [InlineData(RateLimitMode.Leased)]
    public async Task MemoryRows_ManyKeysThatStopSending_AreRemovedOnceNoEstimateReadsThem(RateLimitMode mode)
    {
        var memory = new InMemoryRateLimitCounterStore();
        using var limiter = SharedRateLimiterPartitions.Create("r1", TwoPerMinute, mode, RateLimitFailureMode.Open, new FailingCounterStore(hang: false), _time, NullLogger.Instance, memory);
        for (var i = 0; i < 1000; i++)
        {
            (await limiter.AcquireAsync("client-" + i)).Dispose();
        }

        var rowsWhileActive = memory.Count;
        _time.Advance(TimeSpan.FromMinutes(2));
        (await limiter.AcquireAsync("newcomer")).Dispose();

        Assert.Equal(1000, rowsWhileActive);
        Assert.Equal(1, memory.Count);
    }

    [Fact]
    public void CounterName_DiffersByRouteLimitAndKey_AndIsAValidPartitionKey()
    {
        var names = new[]
        {
            RateLimitCounterName.For("r1", TwoPerMinute, "a/b#c?d\\e"),
            RateLimitCounterName.For("r2", TwoPerMinute, "a/b#c?d\\e"),
            RateLimitCounterName.For("r1", new RateLimitRule(3, TimeSpan.FromMinutes(1), "3/1m"), "a/b#c?d\\e"),
            RateLimitCounterName.For("r1", TwoPerMinute, "other"),
        };

        Assert.Equal(4, names.Distinct().Count());
        Assert.All(names, n => Assert.Matches("^[0-9a-f]{32}$", n));
    }

    private static async Task<bool> PollAsync(Func<bool> condition, TimeSpan? within = null)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (TimeProvider.System.GetElapsedTime(started) < (within ?? TimeSpan.FromSeconds(5)))
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(50);
        }

        return condition();
    }
}
