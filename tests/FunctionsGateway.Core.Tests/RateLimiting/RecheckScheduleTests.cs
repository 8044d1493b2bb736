using FunctionsGateway.RateLimiting;

namespace FunctionsGateway.Core.Tests.RateLimiting;

/// <summary>When a saturated leased limiter looks again: spread out in the body of a window, brought forward at its end.</summary>
public sealed class RecheckScheduleTests
{
    // Fades in at 200 tokens a second; a check every 1 to 1.5 s.
    private static readonly RateLimitRule TwoThousandPerTenSeconds = new(2000, TimeSpan.FromSeconds(10), "2000/10s");
    private static readonly DateTimeOffset WindowEnd = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    [Theory]
    [InlineData(0.0, 1000)]
    [InlineData(0.5, 1250)]
    [InlineData(1.0, 1500)]
    public void Next_BodyOfTheWindow_AnIntervalPlusUpToHalfOfItAtRandom(double random, int expectedMs)
    {
        var schedule = new RecheckSchedule(TwoThousandPerTenSeconds, new FixedRandom(random));
        var now = WindowEnd.AddSeconds(-8);

        var next = schedule.Next(now, WindowEnd, demandPerSecond: 1800);

        Assert.Equal(now.AddMilliseconds(expectedMs), next);
    }

    [Fact]
    public void Next_NearTheWindowEnd_WhenWhatFadesInUntilThenCanStillBeUsedBeforeTheEnd()
    {
        var schedule = new RecheckSchedule(TwoThousandPerTenSeconds, new FixedRandom(1));
        var now = WindowEnd.AddSeconds(-1);

        var next = schedule.Next(now, WindowEnd, demandPerSecond: 1800);

        // 200/s × 0.9 s = 180 tokens fade in by then, and 1800/s × 0.1 s = 180 are used before the end.
        Assert.Equal(now.AddSeconds(0.9), next);
    }

    [Fact]
    public void Next_NearTheWindowEndWithLittleDemand_NoSoonerThanATenthOfAnInterval()
    {
        var schedule = new RecheckSchedule(TwoThousandPerTenSeconds, new FixedRandom(1));
        var now = WindowEnd.AddSeconds(-1);

        var next = schedule.Next(now, WindowEnd, demandPerSecond: 1);

        Assert.Equal(now.AddSeconds(0.1), next);
    }

    [Fact]
    public void Next_LessThanOnePercentOfTheLimitLeftToFadeIn_NoOtherCheckInThisWindow()
    {
        var schedule = new RecheckSchedule(TwoThousandPerTenSeconds, new FixedRandom(0));
        var now = WindowEnd.AddMilliseconds(-90);

        var next = schedule.Next(now, WindowEnd, demandPerSecond: 1800);

        Assert.Equal(now.AddSeconds(1), next);
    }

    [Fact]
    public void Next_NoDemandMeasuredYet_AnInterval()
    {
        var schedule = new RecheckSchedule(TwoThousandPerTenSeconds, new FixedRandom(0));
        var now = WindowEnd.AddSeconds(-1.2);

        var next = schedule.Next(now, WindowEnd, demandPerSecond: 0);

        Assert.Equal(now.AddSeconds(1), next);
    }

    [Fact]
    public void Next_DailyQuota_AtMostAMinutePlusHalfOfIt()
    {
        var schedule = new RecheckSchedule(new RateLimitRule(10_000, TimeSpan.FromDays(1), "10000/1d"), new FixedRandom(1));
        var now = WindowEnd.AddHours(-12);

        var next = schedule.Next(now, WindowEnd, demandPerSecond: 5);

        Assert.Equal(now.AddSeconds(90), next);
    }

    [Fact]
    public void After_TheWaitPlusUpToHalfAnIntervalAtRandom()
    {
        var schedule = new RecheckSchedule(TwoThousandPerTenSeconds, new FixedRandom(1));

        var next = schedule.After(WindowEnd, TimeSpan.FromSeconds(4));

        Assert.Equal(WindowEnd.AddSeconds(4.5), next);
    }
}
