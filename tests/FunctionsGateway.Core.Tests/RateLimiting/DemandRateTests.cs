using FunctionsGateway.RateLimiting;

namespace FunctionsGateway.Core.Tests.RateLimiting;

/// <summary>The request rate a limiter has seen, as an exponentially weighted moving average.</summary>
public sealed class DemandRateTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    [Fact]
    public void Sample_FirstSample_IsTheRateSinceTheStart()
    {
        var demand = new DemandRate(Start);
        Arrive(demand, 30);

        demand.Sample(Start.AddSeconds(2));

        Assert.Equal(15, demand.PerSecond);
    }

    [Fact]
    public void Sample_NextSample_WeighsHalfAgainstTheAverage()
    {
        var demand = new DemandRate(Start);
        Arrive(demand, 10);
        demand.Sample(Start.AddSeconds(1));
        Arrive(demand, 30);

        demand.Sample(Start.AddSeconds(2));

        Assert.Equal(20, demand.PerSecond);
    }

    [Fact]
    public void Sample_NoTimeHasPassed_KeepsTheAverageAndTheRequests()
    {
        var demand = new DemandRate(Start);
        Arrive(demand, 10);
        demand.Sample(Start.AddSeconds(1));
        Arrive(demand, 5);

        demand.Sample(Start.AddSeconds(1));
        demand.Sample(Start.AddSeconds(2));

        Assert.Equal(7.5, demand.PerSecond);
    }

    [Fact]
    public void Sample_ShorterThanTheMinimumInterval_ItsRequestsCountTowardTheNext()
    {
        var demand = new DemandRate(Start);
        Arrive(demand, 1);
        demand.Sample(Start.AddMilliseconds(0.05));
        Arrive(demand, 9);

        var beforeTheNext = demand.PerSecond;
        demand.Sample(Start.AddSeconds(1));

        Assert.Equal(0, beforeTheNext);
        Assert.Equal(10, demand.PerSecond);
    }

    private static void Arrive(DemandRate demand, int requests)
    {
        for (var i = 0; i < requests; i++)
        {
            demand.Arrive();
        }
    }
}
