namespace FunctionsGateway.RateLimiting;

/// <summary>
/// Requests per second one limiter has seen (admitted and rejected alike), as an exponentially weighted moving
/// average sampled at each claim: the rate a saturated instance leases for until its next check.
/// </summary>
internal sealed class DemandRate(DateTimeOffset start)
{
    /// <summary>The weight of the newest sample.</summary>
    public const double NewestWeight = 0.5;

    /// <summary>
    /// The shortest time a sample is taken over; the requests of a shorter one count toward the next. A limiter's
    /// first claim comes right after it was made for its first request: one request over microseconds is no rate, and
    /// would make a new limiter look busy enough for the largest lease (<see cref="SharedWindowRateLimiter.LeaseDemand"/>).
    /// </summary>
    public static readonly TimeSpan MinimumInterval = TimeSpan.FromMilliseconds(10);

    private long _arrivals;
    private DateTimeOffset _since = start;

    /// <summary>The average, in requests per second; 0 until the first sample.</summary>
    public double PerSecond { get; private set; }

    /// <summary>Counts one request.</summary>
    public void Arrive() => Interlocked.Increment(ref _arrivals);

    /// <summary>Folds the requests counted since the last sample into the average. Callers serialise calls.</summary>
    public void Sample(DateTimeOffset now)
    {
        var elapsed = now - _since;
        if (elapsed < MinimumInterval)
        {
            return;
        }

        var rate = Interlocked.Exchange(ref _arrivals, 0) / elapsed.TotalSeconds;
        PerSecond = PerSecond == 0 ? rate : (NewestWeight * rate) + ((1 - NewestWeight) * PerSecond);
        _since = now;
    }
}
