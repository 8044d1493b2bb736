namespace FunctionsGateway.Forwarding;

/// <summary>
/// How many retries one route may still make on this instance: at most <c>percent</c> of its requests of the last
/// 10 seconds, plus <c>minPerSecond</c> per second of the window (as Envoy's and Linkerd's retry budgets), so a failing
/// backend cannot multiply the traffic. Ten one-second buckets, updated without locks; a bucket being recycled by one
/// thread while another counts may lose a count, which only makes the budget a little more or less generous.
/// </summary>
internal sealed class RetryBudget
{
    /// <summary>The window the budget is counted over, in seconds.</summary>
    public const int WindowSeconds = 10;

    private readonly long[] _seconds = new long[WindowSeconds];
    private readonly int[] _requests = new int[WindowSeconds];
    private readonly int[] _retries = new int[WindowSeconds];
    private readonly int _percent;
    private readonly int _minPerSecond;
    private readonly TimeProvider _time;

    public RetryBudget(int percent, int minPerSecond, TimeProvider time)
    {
        _percent = percent;
        _minPerSecond = minPerSecond;
        _time = time;
        Array.Fill(_seconds, -1);
    }

    /// <summary>Counts a request of the route (retries are not requests).</summary>
    public void RecordRequest() => Interlocked.Increment(ref _requests[Bucket(Now())]);

    /// <summary>Takes one retry from the budget; false when the budget is used up (nothing is taken).</summary>
    public bool TryWithdraw()
    {
        var now = Now();
        var requests = 0L;
        var retries = 0L;
        for (var i = 0; i < WindowSeconds; i++)
        {
            var second = Volatile.Read(ref _seconds[i]);
            if (second > now - WindowSeconds && second <= now)
            {
                requests += Volatile.Read(ref _requests[i]);
                retries += Volatile.Read(ref _retries[i]);
            }
        }

        if (retries >= (_minPerSecond * (long)WindowSeconds) + (requests * _percent / 100))
        {
            return false;
        }

        Interlocked.Increment(ref _retries[Bucket(now)]);
        return true;
    }

    private long Now() => _time.GetTimestamp() / _time.TimestampFrequency;

    private int Bucket(long second)
    {
        var index = (int)(second % WindowSeconds);
        var seen = Volatile.Read(ref _seconds[index]);
        if (seen != second && Interlocked.CompareExchange(ref _seconds[index], second, seen) == seen)
        {
            Volatile.Write(ref _requests[index], 0);
            Volatile.Write(ref _retries[index], 0);
        }

        return index;
    }
}
