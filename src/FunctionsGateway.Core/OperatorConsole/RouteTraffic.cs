namespace FunctionsGateway.OperatorConsole;

/// <summary>
/// One route's requests over the last minute: a ring of <see cref="LiveTraffic.WindowSeconds"/> per-second buckets
/// (a bucket is replaced, not cleared, when its second comes round again, so no lock is taken) and its busiest callers.
/// </summary>
internal sealed class RouteTraffic
{
    private readonly TrafficSecond?[] _seconds = new TrafficSecond?[LiveTraffic.WindowSeconds];

    public TopConsumers Consumers { get; } = new();

    /// <summary>Counts one request. Allocation-free except for the first request of a second.</summary>
    public void Record(long second, bool error, bool limited, double milliseconds)
    {
        var index = (int)(second % _seconds.Length);
        var bucket = Volatile.Read(ref _seconds[index]);
        if (bucket is null || bucket.Second != second)
        {
            var fresh = new TrafficSecond(second);
            var seen = Interlocked.CompareExchange(ref _seconds[index], fresh, bucket);
            bucket = ReferenceEquals(seen, bucket) ? fresh : seen!;
        }

        bucket.Add(error, limited, milliseconds);
    }

    /// <summary>The last minute up to and including <paramref name="nowSecond"/>.</summary>
    public RouteTrafficSummary Summarize(long nowSecond, int topConsumers)
    {
        var perSecond = new long[_seconds.Length];
        Span<long> latency = stackalloc long[LatencyBuckets.Count];
        long requests = 0, errors = 0, limited = 0;
        foreach (var bucket in _seconds)
        {
            var age = bucket is null ? -1 : nowSecond - bucket.Second;
            if (bucket is null || age < 0 || age >= _seconds.Length)
            {
                continue;
            }

            perSecond[_seconds.Length - 1 - age] = bucket.Requests;
            requests += bucket.Requests;
            errors += bucket.Errors;
            limited += bucket.Limited;
            bucket.AddLatencyTo(latency);
        }

        return new RouteTrafficSummary(requests, errors, limited,
            LatencyBuckets.Percentile(latency, 0.5), LatencyBuckets.Percentile(latency, 0.95), perSecond,
            Consumers.Top(nowSecond, topConsumers));
    }
}
