namespace FunctionsGateway.OperatorConsole;

public sealed class LatencyBucketsTests
{
    [Fact]
    public void Percentile_NothingCounted_IsNull()
    {
        var counts = new long[LatencyBuckets.Count];

        var median = LatencyBuckets.Percentile(counts, 0.5);

        Assert.Null(median);
    }

    [Fact]
    public void Percentile_AllRequestsInOneBucket_InterpolatesInsideIt()
    {
        var counts = new long[LatencyBuckets.Count];
        counts[LatencyBuckets.IndexOf(40)] = 10;

        var median = LatencyBuckets.Percentile(counts, 0.5);

        // 40 ms falls in the 30–50 ms bucket; the median is halfway through it.
        Assert.Equal(40, median);
    }

    [Fact]
    public void Percentile_FastMajoritySlowTail_P50FastP95Slow()
    {
        var counts = new long[LatencyBuckets.Count];
        counts[LatencyBuckets.IndexOf(4)] = 90;
        counts[LatencyBuckets.IndexOf(900)] = 10;

        var p50 = LatencyBuckets.Percentile(counts, 0.5);
        var p95 = LatencyBuckets.Percentile(counts, 0.95);

        Assert.InRange(p50!.Value, 3, 5);
        Assert.InRange(p95!.Value, 750, 1000);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 0)]
    [InlineData(1.01, 1)]
    [InlineData(60000, 24)]
    [InlineData(1e9, 25)]
    public void IndexOf_Latency_IsTheFirstBucketWhoseBoundIsNotBelowIt(double milliseconds, int expected)
    {
        var index = LatencyBuckets.IndexOf(milliseconds);

        Assert.Equal(expected, index);
    }

    [Fact]
    public void Percentile_OnlyTheOpenLastBucket_ReportsItsLowerBound()
    {
        var counts = new long[LatencyBuckets.Count];
        counts[^1] = 3;

        var p95 = LatencyBuckets.Percentile(counts, 0.95);

        Assert.Equal(60000, p95);
    }
}
