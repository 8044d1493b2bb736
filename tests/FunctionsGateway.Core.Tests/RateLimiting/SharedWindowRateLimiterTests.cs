using System.Threading.RateLimiting;
using FunctionsGateway.RateLimiting;
using Microsoft.Extensions.Time.Testing;

namespace FunctionsGateway.Core.Tests.RateLimiting;

/// <summary>The standard <see cref="RateLimiter"/> over a shared counter, in leased and exact modes.</summary>
public sealed class SharedWindowRateLimiterTests
{
    private static readonly DateTimeOffset WindowStart = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
    private static readonly RateLimitRule PerMinute = new(100, TimeSpan.FromMinutes(1), "100/1m");

    private readonly ScriptedCounterStore _store = new();
    private readonly FakeTimeProvider _time = new(WindowStart);

    [Fact]
    public async Task Acquire_Leased_FirstRequestLeasesATenthOfTheLimit()
    {
        using var limiter = NewLimiter(leased: true);

        using var lease = await limiter.AcquireAsync();

        Assert.True(lease.IsAcquired);
        Assert.Equal(10, await _store.GrantedAsync("c1", 30_000_000));
        Assert.Equal(9, limiter.GetStatistics()!.CurrentAvailablePermits);
    }

    [Fact]
    public async Task Acquire_LeasedWithMoreThanAQuarterOfTheLeaseLeft_UsesNoStorage()
    {
        using var limiter = NewLimiter(leased: true);
        (await limiter.AcquireAsync()).Dispose();
        var operations = _store.Operations;

        var leases = new List<RateLimitLease>();
        for (var i = 0; i < 7; i++)
        {
            leases.Add(await limiter.AcquireAsync());
        }

        Assert.All(leases, l => Assert.True(l.IsAcquired));
        Assert.Equal(operations, _store.Operations);
        Assert.Equal(2, limiter.GetStatistics()!.CurrentAvailablePermits);
    }

    [Fact]
    public async Task Acquire_LeasedLastQuarterOfTheLease_NextLeaseClaimedAheadAndAddedToWhatIsLeft()
    {
        using var limiter = NewLimiter(leased: true);
        for (var i = 0; i < 8; i++)
        {
            (await limiter.AcquireAsync()).Dispose();
        }

        // The lease of 10 is down to 2, a quarter of it: the next request takes a token and starts the next claim.
        (await limiter.AcquireAsync()).Dispose();
        await WaitUntilAsync(() => limiter.GetStatistics()!.CurrentAvailablePermits > 1);

        // 10 granted first, then a tenth of the 90 left: 9, added to the 1 token still held.
        Assert.Equal(19, await _store.GrantedAsync("c1", 30_000_000));
        Assert.Equal(10, limiter.GetStatistics()!.CurrentAvailablePermits);
    }

    [Fact]
    public async Task Acquire_LeasedBusyLimiter_NextLeaseIsASecondOfItsDemandBeyondTheLargestQuietLease()
    {
        var rule = new RateLimitRule(10_000_000, TimeSpan.FromMinutes(1), "10000000/1m");

        using var limiter = await BusyForATenthOfASecondAsync(rule);

        // 7,510 requests a second: the next lease is a second of them, far less than a tenth of what the window has left.
        Assert.Equal(1_000 + 7_510, await _store.GrantedAsync("c1", 30_000_000));
    }

    [Fact]
    public async Task Acquire_LeasedBusyLimiterNearTheLimit_LeaseStillATenthOfWhatIsLeft()
    {
        var rule = new RateLimitRule(20_000, TimeSpan.FromMinutes(1), "20000/1m");

        using var limiter = await BusyForATenthOfASecondAsync(rule);

        // A second of demand would be 7,510, but the window has 19,000 left: a tenth of it, 1,900.
        Assert.Equal(1_000 + 1_900, await _store.GrantedAsync("c1", 30_000_000));
    }

    [Fact]
    public async Task Acquire_Exact_EveryRequestIsOneClaim()
    {
        using var limiter = NewLimiter(leased: false);

        for (var i = 0; i < 5; i++)
        {
            (await limiter.AcquireAsync()).Dispose();
        }

        Assert.Equal(5, await _store.GrantedAsync("c1", 30_000_000));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Acquire_ManyConcurrentClientsOnFourInstances_NeverMoreThanTheLimitPerWindow(bool leased)
    {
        var instances = Enumerable.Range(0, 4).Select(_ => NewLimiter(leased)).ToList();

        var admittedPerWindow = new List<int>();
        for (var window = 0; window < 3; window++)
        {
            var results = await Task.WhenAll(Enumerable.Range(0, 400).Select(async i =>
            {
                using var lease = await instances[i % 4].AcquireAsync();
                return lease.IsAcquired;
            }));
            admittedPerWindow.Add(results.Count(admitted => admitted));
            _time.Advance(TimeSpan.FromMinutes(2));
        }

        Assert.All(admittedPerWindow, admitted => Assert.InRange(admitted, 1, 100));
        Assert.InRange(admittedPerWindow.Sum(), 3 * 90, 3 * 100);
        instances.ForEach(i => i.Dispose());
    }

    [Fact]
    public async Task Acquire_WindowFull_RejectedWithRetryAfterAndNoFurtherStorage()
    {
        using var limiter = NewLimiter(leased: true);
        await _store.SetAsync("c1", 30_000_000, 100);
        _time.Advance(TimeSpan.FromSeconds(45));
        (await limiter.AcquireAsync()).Dispose();
        var operations = _store.Operations;

        using var lease = await limiter.AcquireAsync();

        Assert.False(lease.IsAcquired);
        Assert.True(lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(15), retryAfter);
        Assert.Equal(operations, _store.Operations);
    }

    [Fact]
    public async Task Acquire_LeasedClaimFindsTheWindowFull_RetryAfterIsTheNextCheck()
    {
        using var limiter = NewLimiter(leased: true);
        await HalfWayThroughAFullWindowAsync();

        using var lease = await limiter.AcquireAsync();

        // The estimate frees a token in 0.6 s, but this instance claims again one interval (6 s) later.
        Assert.False(lease.IsAcquired);
        Assert.True(lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(6), retryAfter);
    }

    [Fact]
    public async Task Acquire_LeasedWindowSaturated_RejectedWithoutStorageUntilItsNextCheck()
    {
        using var limiter = await SaturatedLimiterAsync();
        var operations = _store.Operations;
        _time.Advance(TimeSpan.FromSeconds(5.5));

        using var lease = await limiter.AcquireAsync();

        // The previous window's weight frees a token every 0.6 s, but the next check is one interval (6 s) later.
        Assert.False(lease.IsAcquired);
        Assert.True(lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(0.5), retryAfter);
        Assert.Equal(operations, _store.Operations);
    }

    [Fact]
    public async Task Acquire_LeasedWindowSaturatedAtItsNextCheck_ClaimsWhatItsDemandUsesUntilTheCheckAfter()
    {
        using var limiter = await SaturatedLimiterAsync();
        for (var i = 0; i < 11; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(0.5));
            (await limiter.AcquireAsync()).Dispose();
        }

        _time.Advance(TimeSpan.FromSeconds(0.5));

        using var lease = await limiter.AcquireAsync();

        // 10 tokens have faded in. Demand: 2 a second since the last check, averaged half and half with 1 in the
        // first 30 s, about 1 a second; for the 6 s until the next check that is 7 tokens.
        Assert.True(lease.IsAcquired);
        Assert.Equal(57, await _store.GrantedAsync("c1", 30_000_000));
    }

    [Fact]
    public async Task Acquire_UnusedLeaseAfterItsWindow_ExpiresAndANewLeaseIsClaimed()
    {
        using var limiter = NewLimiter(leased: true);
        (await limiter.AcquireAsync()).Dispose();
        _time.Advance(TimeSpan.FromMinutes(1));

        using var lease = await limiter.AcquireAsync();

        Assert.True(lease.IsAcquired);
        Assert.Equal(10, await _store.GrantedAsync("c1", 30_000_000));
        Assert.Equal(9, await _store.GrantedAsync("c1", 30_000_001));
    }

    [Fact]
    public void AttemptAcquire_NoLease_RefusedWithoutStorage()
    {
        using var limiter = NewLimiter(leased: true);

        using var lease = limiter.AttemptAcquire();

        Assert.False(lease.IsAcquired);
        Assert.Equal(0, _store.Operations);
    }

    [Fact]
    public void AttemptAcquire_NoLease_TheRefusalSaysWhenTheWindowEnds()
    {
        using var limiter = NewLimiter(leased: true);
        _time.Advance(TimeSpan.FromSeconds(20));

        using var lease = limiter.AttemptAcquire();

        // 40 s of the minute's window are left; a refusal saying 0 would tell the client to come back at once.
        Assert.True(lease.TryGetMetadata(WindowLimiterLease.ResetAfter, out var resetAfter));
        Assert.Equal(TimeSpan.FromSeconds(40), resetAfter);
    }

    [Fact]
    public async Task Acquire_MoreThanOnePermit_IsABug()
    {
        using var limiter = NewLimiter(leased: true);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await limiter.AcquireAsync(2));
    }

    // Half way through a window, the previous window full and this one at half: the estimate allows nothing, and a
    // leased limiter's claim finds the window saturated; a token fades back in every 0.6 s.
    private async Task HalfWayThroughAFullWindowAsync()
    {
        await _store.SetAsync("c1", 29_999_999, 100);
        await _store.SetAsync("c1", 30_000_000, 50);
        _time.Advance(TimeSpan.FromSeconds(30));
    }

    private async Task<SharedWindowRateLimiter> SaturatedLimiterAsync()
    {
        var limiter = NewLimiter(leased: true);
        await HalfWayThroughAFullWindowAsync();
        (await limiter.AcquireAsync()).Dispose();
        return limiter;
    }

    // A first lease of 1,000 (a new limiter has no demand yet), then 750 more requests in 0.1 s: 751 taken leave a
    // quarter of it, so the next claim starts with a demand of 7,510 requests a second; returns once it is added.
    private async Task<SharedWindowRateLimiter> BusyForATenthOfASecondAsync(RateLimitRule rule)
    {
        var limiter = new SharedWindowRateLimiter(new SlidingWindowCounter(_store, "c1", rule, _time), leased: true, _time, new FixedRandom(0));
        (await limiter.AcquireAsync()).Dispose();
        _time.Advance(TimeSpan.FromMilliseconds(100));
        for (var i = 0; i < 750; i++)
        {
            (await limiter.AcquireAsync()).Dispose();
        }

        await WaitUntilAsync(() => limiter.GetStatistics()!.CurrentAvailablePermits > 249);
        return limiter;
    }

    // No random part in the times of claims: a saturated limiter checks again exactly one interval later.
    // A claim made ahead runs on the thread pool; poll for its result (bounded, no fixed sleep).
    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var elapsed = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(10), "The claim made ahead did not complete within 10 s.");
            await Task.Delay(5);
        }
    }

    private SharedWindowRateLimiter NewLimiter(bool leased) =>
        new(new SlidingWindowCounter(_store, "c1", PerMinute, _time), leased, _time, new FixedRandom(0));
}
