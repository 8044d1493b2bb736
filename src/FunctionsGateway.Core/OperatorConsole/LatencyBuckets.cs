namespace FunctionsGateway.OperatorConsole;

/// <summary>
/// The fixed latency buckets of the console's percentiles: counting a request is one increment, and a percentile is
/// read by walking the buckets, interpolating inside the one it falls in. Bounds roughly double, so an estimate is
/// within one bucket's width of the truth (between 1 and 2 ms near 1 ms, between 500 and 750 ms near 600 ms).
/// </summary>
internal static class LatencyBuckets
{
    // Upper bounds in milliseconds; the last bucket has none.
    private static readonly double[] UpperBounds =
        [1, 2, 3, 5, 7.5, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 10000, 30000, 60000];

    /// <summary>How many buckets there are (one more than there are bounds).</summary>
    public static int Count => UpperBounds.Length + 1;

    /// <summary>The bucket of a latency: the first whose upper bound is not below it.</summary>
    public static int IndexOf(double milliseconds)
    {
        var bounds = UpperBounds;
        for (var i = 0; i < bounds.Length; i++)
        {
            if (milliseconds <= bounds[i])
            {
                return i;
            }
        }

        return bounds.Length;
    }

    /// <summary>
    /// The latency below which <paramref name="quantile"/> of the counted requests fell, or null when none were counted.
    /// Requests in the open last bucket are reported at its lower bound.
    /// </summary>
    public static double? Percentile(ReadOnlySpan<long> counts, double quantile)
    {
        long total = 0;
        foreach (var count in counts)
        {
            total += count;
        }

        if (total == 0)
        {
            return null;
        }

        var rank = quantile * total;
        long below = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            if (counts[i] > 0 && below + counts[i] >= rank)
            {
                var lower = i == 0 ? 0 : UpperBounds[i - 1];
                if (i == UpperBounds.Length)
                {
                    return lower;
                }

                var fraction = (rank - below) / counts[i];
                return lower + ((UpperBounds[i] - lower) * fraction);
            }

            below += counts[i];
        }

        return UpperBounds[^1];
    }
}
