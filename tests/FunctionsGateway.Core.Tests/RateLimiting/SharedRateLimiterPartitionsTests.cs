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
}
