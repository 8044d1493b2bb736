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

    private static void Arrive(DemandRate demand, int requests)
    {
        for (var i = 0; i < requests; i++)
        {
            demand.Arrive();
        }
    }
}
