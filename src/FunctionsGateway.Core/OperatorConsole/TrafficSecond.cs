namespace FunctionsGateway.OperatorConsole;

/// <summary>One second of one route's requests: counts and a latency histogram, each added to with one interlocked increment.</summary>
internal sealed class TrafficSecond
{
    private readonly long[] _latency = new long[LatencyBuckets.Count];
    private long _requests;
    private long _errors;
    private long _limited;

    public TrafficSecond(long second) => Second = second;

    /// <summary>The second counted (whole seconds of <see cref="TimeProvider.GetTimestamp"/>).</summary>
    public long Second { get; }

    public long Requests => Volatile.Read(ref _requests);

    /// <summary>Requests answered 5xx, by the gateway or the backend.</summary>
    public long Errors => Volatile.Read(ref _errors);

    /// <summary>Requests refused by the route's rate limit.</summary>
    public long Limited => Volatile.Read(ref _limited);

    public void Add(bool error, bool limited, double milliseconds)
    {
        Interlocked.Increment(ref _requests);
        if (error)
        {
            Interlocked.Increment(ref _errors);
        }

        if (limited)
        {
            Interlocked.Increment(ref _limited);
        }

        Interlocked.Increment(ref _latency[LatencyBuckets.IndexOf(milliseconds)]);
    }

    /// <summary>Adds this second's latency histogram to <paramref name="totals"/>.</summary>
    public void AddLatencyTo(Span<long> totals)
    {
        for (var i = 0; i < _latency.Length; i++)
        {
            totals[i] += Volatile.Read(ref _latency[i]);
        }
    }
}
