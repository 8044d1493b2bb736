using System.Threading.RateLimiting;
using Azure;
using FunctionsGateway.RateLimiting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace FunctionsGateway.Core.Tests.RateLimiting;

/// <summary>Storage down or hanging: a short timeout, a circuit breaker, and the open or closed failure policy.</summary>
public sealed class StoreFailureTests
{
    private static readonly RateLimitRule TwoPerMinute = new(2, TimeSpan.FromMinutes(1), "2/1m");

    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));

    [Fact]
    public async Task Read_StoreHangs_FailsAfterTheTimeout()
    {
        var store = new ResilientCounterStore(new FailingCounterStore(hang: true), _time, new RateLimitingOptions { StoreTimeoutMilliseconds = 200 });

        var read = store.ReadAsync("c1", 1, default).AsTask();
        var started = TimeProvider.System.GetTimestamp();
        while (!read.IsCompleted && TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(10))
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Yield();
        }

        await Assert.ThrowsAsync<TimeoutRejectedException>(() => read);
    }

    [Fact]
    public async Task Read_StoreFailsRepeatedly_CircuitOpensAndCallsNoLongerReachIt()
    {
        var failing = new FailingCounterStore(hang: false);
        var store = new ResilientCounterStore(failing, _time);
        for (var i = 0; i < 5; i++)
        {
            await Assert.ThrowsAsync<RequestFailedException>(async () => await store.ReadAsync("c1", 1, default));
        }

        await Assert.ThrowsAsync<BrokenCircuitException>(async () => await store.ReadAsync("c1", 1, default));

        Assert.Equal(5, failing.Calls);
    }

    [Fact]
    public async Task Read_BreakerSettings_OpenAfterTheConfiguredCallsAndCloseAfterTheBreak()
    {
        var failing = new FailingCounterStore(hang: false);
        var store = new ResilientCounterStore(failing, _time, new RateLimitingOptions { BreakerMinimumCalls = 2, BreakerBreakSeconds = 30 });
        for (var i = 0; i < 2; i++)
        {
            await Assert.ThrowsAsync<RequestFailedException>(async () => await store.ReadAsync("c1", 1, default));
        }

        await Assert.ThrowsAsync<BrokenCircuitException>(async () => await store.ReadAsync("c1", 1, default));
        _time.Advance(TimeSpan.FromSeconds(29));
        await Assert.ThrowsAsync<BrokenCircuitException>(async () => await store.ReadAsync("c1", 1, default));
        _time.Advance(TimeSpan.FromSeconds(2));
        await Assert.ThrowsAsync<RequestFailedException>(async () => await store.ReadAsync("c1", 1, default));

        Assert.Equal(3, failing.Calls);
    }

    [Fact]
    public async Task Acquire_StoreDownFailureOpen_AdmitsWithinTheLocalLimit()
    {
        using var limiter = Limiter(RateLimitFailureMode.Open);

        var admitted = new List<bool>();
        for (var i = 0; i < 3; i++)
        {
            using var lease = await limiter.AcquireAsync("contoso");
            admitted.Add(lease.IsAcquired);
        }

        Assert.Equal([true, true, false], admitted);
    }

    [Fact]
    public async Task Acquire_StoreDownFailureClosed_RejectedAsStoreUnavailable()
    {
        using var limiter = Limiter(RateLimitFailureMode.Closed);

        using var lease = await limiter.AcquireAsync("contoso");

        Assert.False(lease.IsAcquired);
        Assert.True(lease.TryGetMetadata(StoreFallbackRateLimiter.StoreUnavailable, out var unavailable));
        Assert.True(unavailable);
    }

    [Fact]
    public async Task Acquire_StoreDownLocalMode_UnaffectedAsItUsesNoStorage()
    {
        var failing = new FailingCounterStore(hang: false);
        using var limiter = SharedRateLimiterPartitions.Create("r1", TwoPerMinute, RateLimitMode.Local, RateLimitFailureMode.Closed, failing, _time, NullLogger.Instance);

        using var lease = await limiter.AcquireAsync("contoso");

        Assert.True(lease.IsAcquired);
        Assert.Equal(0, failing.Calls);
    }

    private PartitionedRateLimiter<string> Limiter(RateLimitFailureMode failure) =>
        SharedRateLimiterPartitions.Create("r1", TwoPerMinute, RateLimitMode.Leased, failure, new ResilientCounterStore(new FailingCounterStore(hang: false), _time), _time, NullLogger.Instance);
}
