using FunctionsGateway.RateLimiting;
using Microsoft.Extensions.Time.Testing;

namespace FunctionsGateway.Core.Tests.RateLimiting;

/// <summary>Claims on a shared window counter: never past the limit, the previous window weighted, conflicts resolved.</summary>
public sealed class SlidingWindowCounterTests
{
    private const string Counter = "c1";

    // 1,800,000,000 s since the epoch is the start of a minute: window 30,000,000 of a one-minute limit.
    private const long Window = 30_000_000;
    private static readonly DateTimeOffset WindowStart = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    private readonly ScriptedCounterStore _store = new();
    private readonly FakeTimeProvider _time = new(WindowStart);

    [Fact]
    public async Task Claim_EmptyWindow_GrantsTheSizeAskedAndCountsIt()
    {
        var counter = NewCounter(100);

        var grant = await counter.ClaimAsync(available => 10, default);

        Assert.Equal(10, grant.Granted);
        Assert.Equal(90, grant.Remaining);
        Assert.Equal(Window, grant.Window);
        Assert.Equal(TimeSpan.FromMinutes(1), grant.ResetAfter);
        Assert.Equal(10, await _store.GrantedAsync(Counter, Window));
    }

    [Fact]
    public async Task Claim_SizeAboveWhatIsLeft_GrantsOnlyWhatIsLeft()
    {
        var counter = NewCounter(100);
        await _store.SetAsync(Counter, Window, 95);

        var grant = await counter.ClaimAsync(available => 50, default);

        Assert.Equal(5, grant.Granted);
        Assert.Equal(100, await _store.GrantedAsync(Counter, Window));
    }

    [Fact]
    public async Task Claim_FullWindowNoPreviousCount_GrantsNothingRetryAfterTheWindowEnd()
    {
        var counter = NewCounter(100);
        await _store.SetAsync(Counter, Window, 100);
        _time.Advance(TimeSpan.FromSeconds(20));

        var grant = await counter.ClaimAsync(available => 1, default);

        Assert.Equal(0, grant.Granted);
        Assert.Equal(TimeSpan.FromSeconds(40), grant.RetryAfter);
        Assert.Equal(100, await _store.GrantedAsync(Counter, Window));
    }

    [Fact]
    public async Task Claim_PreviousWindowFull_WeightedByThePartStillInTheSlidingWindow()
    {
        var counter = NewCounter(100);
        await _store.SetAsync(Counter, Window - 1, 100);
        _time.Advance(TimeSpan.FromSeconds(15));

        var grant = await counter.ClaimAsync(available => available, default);

        Assert.Equal(25, grant.Granted);
    }

    [Fact]
    public async Task Claim_PreviousWeightFullyTaken_RetryAfterIsWhenItFadesByOneToken()
    {
        var counter = NewCounter(100);
        await _store.SetAsync(Counter, Window - 1, 100);
        await _store.SetAsync(Counter, Window, 50);
        _time.Advance(TimeSpan.FromSeconds(30));

        var grant = await counter.ClaimAsync(available => 1, default);

        Assert.Equal(0, grant.Granted);
        Assert.Equal(TimeSpan.FromSeconds(0.6), grant.RetryAfter);
    }

    [Fact]
    public async Task Claim_WindowRollsOver_NewWindowCountsFromZeroWithThePreviousWeighted()
    {
        var counter = NewCounter(100);
        await counter.ClaimAsync(available => 100, default);
        _time.Advance(TimeSpan.FromSeconds(90));

        var grant = await counter.ClaimAsync(available => available, default);

        Assert.Equal(Window + 1, grant.Window);
        Assert.Equal(50, grant.Granted);
    }

    [Fact]
    public async Task Claim_FirstClaimOfAWindow_RemovesTheRowTwoWindowsBack()
    {
        var counter = NewCounter(100);
        await _store.SetAsync(Counter, Window - 2, 7);
        await _store.SetAsync(Counter, Window - 1, 7);

        await counter.ClaimAsync(available => 1, default);
        await counter.ClaimAsync(available => 1, default);

        Assert.Equal(0, await _store.GrantedAsync(Counter, Window - 2));
        Assert.Equal(7, await _store.GrantedAsync(Counter, Window - 1));
        Assert.Equal(2, _store.Rows);
    }

    [Fact]
    public async Task Claim_WriteSucceededButReportedAsConflict_RecognisedAndCountedOnce()
    {
        var counter = NewCounter(100);
        await counter.ClaimAsync(available => 10, default);
        _store.LoseWriteAnswers = 1;

        var grant = await counter.ClaimAsync(available => 10, default);

        Assert.Equal(10, grant.Granted);
        Assert.Equal(20, await _store.GrantedAsync(Counter, Window));
    }

    [Fact]
    public async Task Claim_InsertSucceededButReportedAsConflict_RecognisedAndCountedOnce()
    {
        var counter = NewCounter(100);
        _store.LoseWriteAnswers = 1;

        var grant = await counter.ClaimAsync(available => 10, default);

        Assert.Equal(10, grant.Granted);
        Assert.Equal(10, await _store.GrantedAsync(Counter, Window));
    }

    [Fact]
    public async Task Claim_AnotherWriterComesFirst_RetriesOnTheNewCountWithinTheLimit()
    {
        var counter = NewCounter(100);
        await _store.SetAsync(Counter, Window, 80);
        _store.CompetingWrites = 1;
        _store.CompetingTokens = 15;

        var grant = await counter.ClaimAsync(available => available, default);

        Assert.Equal(5, grant.Granted);
        Assert.Equal(100, await _store.GrantedAsync(Counter, Window));
    }

    [Fact]
    public async Task Claim_EveryAttemptLosesTheRace_GivesUpAfterMaxAttemptsGrantingNothing()
    {
        var counter = NewCounter(1000);
        await _store.SetAsync(Counter, Window, 1);
        _store.CompetingWrites = SlidingWindowCounter.MaxAttempts;

        var grant = await counter.ClaimAsync(available => 1, default);

        Assert.Equal(0, grant.Granted);
        Assert.Equal(1 + SlidingWindowCounter.MaxAttempts, await _store.GrantedAsync(Counter, Window));
    }

    [Fact]
    public async Task Claim_TakesAllThatIsLeft_GrantIsSaturated()
    {
        var counter = NewCounter(100);
        await _store.SetAsync(Counter, Window, 95);

        var grant = await counter.ClaimAsync(available => 5, default);

        Assert.True(grant.Saturated);
    }

    [Fact]
    public async Task Claim_TakesLessThanIsLeft_GrantIsNotSaturated()
    {
        var counter = NewCounter(100);

        var grant = await counter.ClaimAsync(available => 10, default);

        Assert.False(grant.Saturated);
    }

    [Fact]
    public async Task Claim_NextUncontendedClaim_IsOneWriteWithoutARead()
    {
        var operations = new RateLimitStoreOperations();
        var counter = NewCounter(100, new MeteredCounterStore(_store, operations));
        await counter.ClaimAsync(available => 10, default);
        var before = (operations.Reads, operations.Writes);

        await counter.ClaimAsync(available => 10, default);

        Assert.Equal((before.Reads, before.Writes + 1), (operations.Reads, operations.Writes));
        Assert.Equal(0, operations.Conflicts);
    }

    [Fact]
    public async Task Claim_AfterASaturatedClaimAndAnotherWriter_ReadsBeforeWritingWithoutAConflict()
    {
        var operations = new RateLimitStoreOperations();
        var counter = NewCounter(100, new MeteredCounterStore(_store, operations));
        await _store.SetAsync(Counter, Window - 1, 100);
        _time.Advance(TimeSpan.FromSeconds(30));
        await counter.ClaimAsync(available => 1000, default);
        _time.Advance(TimeSpan.FromSeconds(6));
        await _store.SetAsync(Counter, Window, 55);
        var before = (operations.Reads, operations.Writes);

        var grant = await counter.ClaimAsync(available => 1000, default);

        Assert.Equal(5, grant.Granted);
        Assert.Equal((before.Reads + 1, before.Writes + 1), (operations.Reads, operations.Writes));
        Assert.Equal(0, operations.Conflicts);
    }

    [Fact]
    public void WindowEnd_AnyMomentOfAWindow_IsTheStartOfTheNext()
    {
        var counter = NewCounter(100);

        var end = counter.WindowEnd(WindowStart.AddSeconds(59.999));

        Assert.Equal(WindowStart.AddMinutes(1), end);
    }

    private SlidingWindowCounter NewCounter(int permits, IRateLimitCounterStore? store = null) =>
        new(store ?? _store, Counter, new RateLimitRule(permits, TimeSpan.FromMinutes(1), $"{permits}/1m"), _time);
}
