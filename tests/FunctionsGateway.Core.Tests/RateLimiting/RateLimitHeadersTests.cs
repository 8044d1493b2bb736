using System.Collections.Immutable;
using FunctionsGateway.RateLimiting;

namespace FunctionsGateway.Core.Tests.RateLimiting;

/// <summary>The RateLimit header values in the IETF httpapi draft's Structured Field format.</summary>
public sealed class RateLimitHeadersTests
{
    private static readonly RateLimitRule PerSecond = new(10, TimeSpan.FromSeconds(1), "10/1s");
    private static readonly RateLimitRule PerHour = new(1000, TimeSpan.FromHours(1), "1000/1h");

    [Fact]
    public void PolicyHeader_TwoLimits_OneItemEachWithQuotaAndWindowSeconds()
    {
        var policy = new RateLimitPolicy([PerSecond, PerHour], RateLimitKeySource.Consumer, RateLimitMode.Leased, RateLimitFailureMode.Open);

        var value = policy.PolicyHeader;

        Assert.Equal("\"10/1s\";q=10;w=1, \"1000/1h\";q=1000;w=3600", value);
    }

    [Fact]
    public void State_RemainingAndResetRoundedUpToWholeSeconds()
    {
        var value = RateLimitHeaders.State([PerSecond, PerHour], [new(4, TimeSpan.FromMilliseconds(300)), new(998, TimeSpan.FromSeconds(1800))]);

        Assert.Equal("\"10/1s\";r=4;t=1, \"1000/1h\";r=998;t=1800", value);
    }

    [Fact]
    public void State_NegativeRemainingOrReset_WrittenAsZero()
    {
        var value = RateLimitHeaders.State([PerSecond], [new(-3, TimeSpan.FromSeconds(-1))]);

        Assert.Equal("\"10/1s\";r=0;t=0", value);
    }

    [Fact]
    public void State_RefusedByTheFirstLimit_OnlyTheLimitsAsked()
    {
        var value = RateLimitHeaders.State([PerSecond, PerHour], [new(0, TimeSpan.FromMilliseconds(300))]);

        Assert.Equal("\"10/1s\";r=0;t=1", value);
    }

    [Fact]
    public void State_LongerThanTheStackBuffer_WrittenWhole()
    {
        var rules = Enumerable.Range(1, 20).Select(i => new RateLimitRule(100_000_000, TimeSpan.FromSeconds(i), $"100000000/{i}s")).ToArray();
        var states = rules.Select(_ => new RateLimitWindowState(99_999_999, TimeSpan.FromSeconds(1))).ToArray();

        var value = RateLimitHeaders.State(rules, states);

        Assert.Equal(string.Join(", ", rules.Select(r => $"\"{r.Text}\";r=99999999;t=1")), value);
    }

    [Fact]
    public void PolicyHeader_RulesReplaced_FollowsTheNewRules()
    {
        var policy = new RateLimitPolicy([PerSecond], RateLimitKeySource.Consumer, RateLimitMode.Leased, RateLimitFailureMode.Open);

        var changed = policy with { Rules = [PerHour] };

        Assert.Equal("\"1000/1h\";q=1000;w=3600", changed.PolicyHeader);
    }

    [Theory]
    [InlineData(0, "1")]
    [InlineData(250, "1")]
    [InlineData(1001, "2")]
    [InlineData(15000, "15")]
    public void RetryAfter_WholeSecondsRoundedUpAtLeastOne(int milliseconds, string expected)
    {
        var value = RateLimitHeaders.RetryAfter(TimeSpan.FromMilliseconds(milliseconds));

        Assert.Equal(expected, value);
    }
}
