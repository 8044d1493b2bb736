namespace FunctionsGateway.RateLimiting;

/// <summary>
/// When a leased limiter whose window is saturated claims again. Under demand above the limit, tokens come back
/// continuously as the previous window's weight fades (at most limit / period per second); claiming each one as
/// it frees up would cost a storage round trip per admitted request, and every instance would wake at the same
/// computed moment. Instead each instance looks again after <see cref="Interval"/> (a tenth of the period, at most a
/// minute) plus a
/// random part of up to half of it, so instances spread out. The sliding estimate is continuous across windows,
/// so tokens claimed a little later are not lost, except at a fixed window's end: within the window's last
/// interval, a check is brought forward to the last moment from which what fades in until then can still be used
/// before the window ends at this instance's demand (but no sooner than a tenth of an interval), and such checks
/// follow each other until less than <see cref="EndShortfallFraction"/> of the limit can still fade in before the end.
/// </summary>
internal sealed class RecheckSchedule(RateLimitRule rule, Random random)
{
    /// <summary>The shortest time between two checks of one instance in the body of a window, as a part of the period.</summary>
    public const double IntervalFraction = 0.1;

    /// <summary>The largest random delay added to a check, as a part of <see cref="Interval"/>.</summary>
    public const double JitterFraction = 0.5;

    /// <summary>The part of the limit that may still fade in after a window's last check.</summary>
    public const double EndShortfallFraction = 0.01;

    /// <summary>
    /// The longest <see cref="Interval"/>: a saturated hourly or daily quota would otherwise keep a client waiting
    /// hours for tokens that come back every second; checking every minute costs a few thousand operations a day.
    /// </summary>
    public static readonly TimeSpan MaxInterval = TimeSpan.FromMinutes(1);

    /// <summary>The shortest time between two checks of one instance in the body of a window.</summary>
    public TimeSpan Interval
    {
        get
        {
            var interval = rule.Window * IntervalFraction;
            return interval < MaxInterval ? interval : MaxInterval;
        }
    }

    /// <summary>
    /// The next check after one at <paramref name="now"/>, while tokens fade back in and this instance sees
    /// <paramref name="demandPerSecond"/> requests a second.
    /// </summary>
    public DateTimeOffset Next(DateTimeOffset now, DateTimeOffset windowEnd, double demandPerSecond)
    {
        var next = now + Interval + Jitter();
        var fadeRate = rule.Permits / rule.Window.TotalSeconds;
        var left = windowEnd - now;
        if (demandPerSecond <= 0
            || left > Interval * (1 + JitterFraction)
            || fadeRate * left.TotalSeconds < rule.Permits * EndShortfallFraction)
        {
            return next;
        }

        // What fades in from now until the check at t is fadeRate × (t − now); this instance uses
        // demand × (windowEnd − t) before the end. Equal at t = now + left × demand / (demand + fadeRate).
        // Never sooner than a tenth of an interval, so an instance with little demand does not check in a loop.
        var last = now + (left * (demandPerSecond / (demandPerSecond + fadeRate)));
        var soonest = now + (Interval * 0.1);
        return last < soonest ? soonest : last < next ? last : next;
    }

    /// <summary>The next check when the estimate allows no token before <paramref name="wait"/> has passed.</summary>
    public DateTimeOffset After(DateTimeOffset now, TimeSpan wait) => now + wait + Jitter();

    private TimeSpan Jitter() => Interval * JitterFraction * random.NextDouble();
}
