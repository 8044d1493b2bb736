using System.Threading.RateLimiting;

namespace FunctionsGateway.RateLimiting;

/// <summary>
/// A <see cref="RateLimiter"/> for one counter (route, limit, key) over a <see cref="SlidingWindowCounter"/>.
/// A request takes a token this instance already holds for the current window, without storage; when there is
/// none, one claim is made for all the requests of this instance waiting at that moment (they share it).
/// Leased: a claim takes <c>⌊available × LeaseFraction⌋</c> tokens, or as many as requests wait if more, at least 1,
/// at most <see cref="MaxLease"/> or one <see cref="LeaseDemand"/> of recent demand if more, and never more than the
/// window still allows. Once a claim finds the window
/// saturated (full, or emptied by this claim), the instance claims again only at its own <see cref="RecheckSchedule"/>
/// and then takes what its recent demand (<see cref="DemandRate"/>) uses until its next check or the window's
/// end, whichever comes first; requests that find no token meanwhile are rejected without storage. While the window
/// is not saturated, the next claim starts in the background when a quarter of the last lease is left (see
/// <see cref="RefillFraction"/>), so requests do not wait for storage at every lease. Unused tokens expire with their window. Exact: a claim takes exactly as many tokens as requests wait, so no token is
/// held ahead of a request, and a full window is remembered until the estimate allows a token again.
/// </summary>
internal sealed class SharedWindowRateLimiter(SlidingWindowCounter counter, bool leased, TimeProvider time, Random? random = null) : RateLimiter
{
    /// <summary>
    /// The largest lease of a saturated limiter, and of one whose demand is under <see cref="MaxLease"/> requests per
    /// <see cref="LeaseDemand"/>; a busier one that is not saturated may lease up to its demand over <see cref="LeaseDemand"/>.
    /// </summary>
    public const long MaxLease = 1000;

    /// <summary>
    /// How much of its recent demand (<see cref="DemandRate"/>) a busy limiter may lease at once: a route at 10,000
    /// requests a second then claims about once a second rather than ten times, and the quarter of a lease left when
    /// it claims the next one lasts a quarter second, so a slow storage round trip keeps none of its requests waiting. Leases
    /// still take at most <see cref="LeaseFraction"/> of what is left, which bounds the tokens held unused.
    /// </summary>
    public static readonly TimeSpan LeaseDemand = TimeSpan.FromSeconds(1);

    /// <summary>The part of what the window still allows that one lease takes while the window is not saturated.</summary>
    public const double LeaseFraction = 0.1;

    /// <summary>
    /// The part of the last lease left when a leased, unsaturated limiter claims the next one in the background: without
    /// it, every request arriving while a lease is claimed waits a storage round trip (at 10,000 requests a second and
    /// leases of 1,000, ten times a second), which costs a busy route a tenth of its throughput.
    /// </summary>
    public const double RefillFraction = 0.25;

    /// <summary>Claims one request may start or join before it is refused as contended.</summary>
    public const int MaxClaimRounds = 5;

    private readonly Lock _gate = new();
    private readonly RecheckSchedule _schedule = new(counter.Rule, random ?? Random.Shared);
    private readonly DemandRate _demand = new(time.GetUtcNow());
    private long _leaseWindow = long.MinValue;
    private long _leaseTokens;
    private long _refillBelow;
    private long _remaining;
    private DateTimeOffset _leaseEnds;
    private DateTimeOffset _nextClaimAt;
    private bool _saturated;
    private DateTimeOffset _plannedCheck;
    private TimeSpan _claimHorizon;
    private Task<CounterGrant>? _claim;
    private long _waiting;
    private long _lastUsedTicks = time.GetTimestamp();

    public override TimeSpan? IdleDuration => time.GetElapsedTime(Interlocked.Read(ref _lastUsedTicks));

    public override RateLimiterStatistics? GetStatistics()
    {
        lock (_gate)
        {
            return new RateLimiterStatistics { CurrentAvailablePermits = LeaseIsCurrent(time.GetUtcNow()) ? _leaseTokens : 0 };
        }
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        CheckPermitCount(permitCount);
        _demand.Arrive();
        return TryTakeLocally(startClaim: false, out var lease, out _) ? lease : Refused(TimeSpan.FromSeconds(1));
    }

    // Synchronous while a token is held or a rejection is remembered, the common case: only a request that has to
    // wait for a claim pays for an async state machine.
    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        CheckPermitCount(permitCount);
        _demand.Arrive();
        return TryTakeLocally(startClaim: true, out var lease, out var claim)
            ? ValueTask.FromResult(lease)
            : WaitForClaimAsync(claim!, cancellationToken);
    }

    private async ValueTask<RateLimitLease> WaitForClaimAsync(Task<CounterGrant> claim, CancellationToken cancellationToken)
    {
        for (var round = 1; ; round++)
        {
            CounterGrant grant;
            try
            {
                grant = await claim.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref _waiting);
            }

            if (grant.Granted == 0)
            {
                return new WindowLimiterLease(false, 0, grant.ResetAfter, UntilNextClaim(grant.RetryAfter));
            }

            if (round == MaxClaimRounds)
            {
                return Refused(TimeSpan.FromSeconds(1));
            }

            if (TryTakeLocally(startClaim: true, out var lease, out var next))
            {
                return lease;
            }

            claim = next!;
        }
    }

    // A refusal that says when the window ends (the RateLimit header's t): never "now", which would invite an
    // immediate retry; retryAfter is when to try again.
    private WindowLimiterLease Refused(TimeSpan retryAfter)
    {
        var now = time.GetUtcNow();
        return new WindowLimiterLease(false, 0, counter.WindowEnd(now) - now, retryAfter);
    }

    // A token from the lease, a remembered rejection, or else the claim to wait for (started or joined).
    private bool TryTakeLocally(bool startClaim, out RateLimitLease lease, out Task<CounterGrant>? claim)
    {
        var now = time.GetUtcNow();
        Volatile.Write(ref _lastUsedTicks, time.GetTimestamp());
        lock (_gate)
        {
            claim = null;
            if (LeaseIsCurrent(now) && _leaseTokens > 0)
            {
                _leaseTokens--;
                lease = new WindowLimiterLease(true, _remaining + _leaseTokens, _leaseEnds - now, TimeSpan.Zero);
                if (_leaseTokens < _refillBelow && _claim is null && !_saturated)
                {
                    PlanClaim(now);
                    _claim = ClaimAsync();
                    ObserveFailure(_claim);
                }

                return true;
            }

            if (now < _nextClaimAt)
            {
                lease = new WindowLimiterLease(false, 0, counter.WindowEnd(now) - now, _nextClaimAt - now);
                return true;
            }

            lease = null!;
            if (!startClaim)
            {
                return false;
            }

            Interlocked.Increment(ref _waiting);
            if (_claim is null)
            {
                PlanClaim(now);
                _claim = ClaimAsync();
            }

            claim = _claim;
            return false;
        }
    }

    // A saturated leased instance claims again only at its next check, which may be later than the estimate's.
    private TimeSpan UntilNextClaim(TimeSpan estimate)
    {
        lock (_gate)
        {
            var wait = _nextClaimAt - time.GetUtcNow();
            return wait > estimate ? wait : estimate;
        }
    }

    private bool LeaseIsCurrent(DateTimeOffset now) => now < _leaseEnds && _leaseWindow != long.MinValue;

    // Called under the gate as a claim starts: when the next check would be if the window stays saturated, and so
    // how long the tokens of this claim have to serve (never past the window's end, when they expire).
    private void PlanClaim(DateTimeOffset now)
    {
        _demand.Sample(now);
        var windowEnd = counter.WindowEnd(now);
        _plannedCheck = _schedule.Next(now, windowEnd, _demand.PerSecond);
        _claimHorizon = (_plannedCheck < windowEnd ? _plannedCheck : windowEnd) - now;
    }

    private async Task<CounterGrant> ClaimAsync()
    {
        await Task.Yield();
        CounterGrant grant;
        try
        {
            grant = await counter.ClaimAsync(LeaseSize, CancellationToken.None).ConfigureAwait(false);
        }
        catch
        {
            lock (_gate)
            {
                _claim = null;
            }

            throw;
        }

        var now = time.GetUtcNow();
        lock (_gate)
        {
            _claim = null;
            _leaseEnds = grant.WindowEnds;
            if (grant.Granted > 0)
            {
                // A claim made ahead adds to the tokens still held in the same window; a new window's lease replaces them.
                _leaseTokens = grant.Window == _leaseWindow && LeaseIsCurrent(now) ? _leaseTokens + grant.Granted : grant.Granted;
                _leaseWindow = grant.Window;
                _remaining = grant.Remaining;
                _refillBelow = leased ? (long)(grant.Granted * RefillFraction) : 0;
            }

            _saturated = leased && grant.Saturated;
            _nextClaimAt = NextClaimAt(grant, now);
        }

        return grant;
    }

    // A claim made ahead has no request waiting on it: its failure is seen by the request that next joins a claim,
    // not left as an unobserved task exception.
    private static void ObserveFailure(Task<CounterGrant> claim) =>
        claim.ContinueWith(static task => _ = task.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    private DateTimeOffset NextClaimAt(CounterGrant grant, DateTimeOffset now)
    {
        if (!leased)
        {
            return grant.Granted == 0 ? now + grant.RetryAfter : DateTimeOffset.MinValue;
        }

        if (!grant.Saturated)
        {
            return DateTimeOffset.MinValue;
        }

        // Full until a moment later than the next planned check (the previous window's weight is not what holds
        // it back): look again then, spread out like every other check.
        return grant.Granted == 0 && now + grant.RetryAfter > _plannedCheck ? _schedule.After(now, grant.RetryAfter) : _plannedCheck;
    }

    // Enough for the requests waiting on this claim and, when leased, more if that is more: a share of what is left
    // while the window is not saturated, else what this instance's demand uses before its next check.
    private long LeaseSize(long available)
    {
        var waiting = Interlocked.Read(ref _waiting);
        if (!leased)
        {
            return Math.Min(MaxLease, Math.Max(1, waiting));
        }

        // Saturated, a lease is what the demand uses until the next check, which may be a minute away: the fixed cap
        // keeps one instance from taking the window's returning tokens on an estimate of that long.
        var (share, largest) = _saturated
            ? ((long)Math.Ceiling(_demand.PerSecond * _claimHorizon.TotalSeconds), MaxLease)
            : ((long)(available * LeaseFraction), Math.Max(MaxLease, (long)Math.Ceiling(_demand.PerSecond * LeaseDemand.TotalSeconds)));
        return Math.Min(largest, Math.Max(share, waiting));
    }

    private static void CheckPermitCount(int permitCount) =>
        ArgumentOutOfRangeException.ThrowIfNotEqual(permitCount, 1);
}
