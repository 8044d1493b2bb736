using System.Threading.RateLimiting;

namespace FunctionsGateway.RateLimiting;

/// <summary>
/// A <see cref="RateLimiter"/> for one counter (route, limit, key) over a <see cref="SlidingWindowCounter"/>.
/// A request takes a token this instance already holds for the current window, without storage; when there is
/// none, one claim is made for all the requests of this instance waiting at that moment (they share it).
/// Leased: a claim takes <c>⌊available × LeaseFraction⌋</c> tokens, or as many as requests wait if more, between
/// 1 and <see cref="MaxLease"/> and never more than the window still allows, so leases shrink to 1 as the window
/// fills; unused tokens expire with their window. Exact: a claim takes exactly as many tokens as requests wait,
/// so no token is held ahead of a request. Either way a full window is remembered until the estimate allows a
/// token again, so rejected requests cost no storage.
/// </summary>
internal sealed class SharedWindowRateLimiter(SlidingWindowCounter counter, bool leased, TimeProvider time) : RateLimiter
{
    /// <summary>The largest lease.</summary>
    public const long MaxLease = 1000;

    /// <summary>The part of what the window still allows that one lease takes.</summary>
    public const double LeaseFraction = 0.1;

    /// <summary>Claims one request may start or join before it is refused as contended.</summary>
    public const int MaxClaimRounds = 5;

    private readonly Lock _gate = new();
    private long _leaseWindow = long.MinValue;
    private long _leaseTokens;
    private long _remaining;
    private DateTimeOffset _leaseEnds;
    private DateTimeOffset _fullUntil;
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
        return TryTakeLocally(startClaim: false, out var lease, out _) ? lease : new WindowLimiterLease(false, 0, TimeSpan.Zero, TimeSpan.FromSeconds(1));
    }

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        CheckPermitCount(permitCount);
        for (var round = 0; round < MaxClaimRounds; round++)
        {
            if (TryTakeLocally(startClaim: true, out var lease, out var claim))
            {
                return lease;
            }

            CounterGrant grant;
            try
            {
                grant = await claim!.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref _waiting);
            }

            if (grant.Granted == 0)
            {
                return new WindowLimiterLease(false, 0, grant.ResetAfter, grant.RetryAfter);
            }
        }

        return new WindowLimiterLease(false, 0, TimeSpan.Zero, TimeSpan.FromSeconds(1));
    }

    // A token from the lease, a remembered rejection, or else the claim to wait for (started or joined).
    private bool TryTakeLocally(bool startClaim, out RateLimitLease lease, out Task<CounterGrant>? claim)
    {
        var now = time.GetUtcNow();
        Interlocked.Exchange(ref _lastUsedTicks, time.GetTimestamp());
        lock (_gate)
        {
            claim = null;
            if (LeaseIsCurrent(now) && _leaseTokens > 0)
            {
                _leaseTokens--;
                lease = new WindowLimiterLease(true, _remaining + _leaseTokens, _leaseEnds - now, TimeSpan.Zero);
                return true;
            }

            if (now < _fullUntil)
            {
                lease = new WindowLimiterLease(false, 0, _leaseEnds - now, _fullUntil - now);
                return true;
            }

            lease = null!;
            if (!startClaim)
            {
                return false;
            }

            Interlocked.Increment(ref _waiting);
            claim = _claim ??= ClaimAsync();
            return false;
        }
    }

    private bool LeaseIsCurrent(DateTimeOffset now) => now < _leaseEnds && _leaseWindow != long.MinValue;

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
            if (grant.Granted == 0)
            {
                _fullUntil = now + grant.RetryAfter;
            }
            else
            {
                _leaseWindow = grant.Window;
                _leaseTokens = grant.Granted;
                _remaining = grant.Remaining;
            }
        }

        return grant;
    }

    // Enough for the requests waiting on this claim and, when leased, a share of what is left if that is more.
    private long LeaseSize(long available) =>
        Math.Min(MaxLease, Math.Max(leased ? (long)(available * LeaseFraction) : 1, Interlocked.Read(ref _waiting)));

    private static void CheckPermitCount(int permitCount) =>
        ArgumentOutOfRangeException.ThrowIfNotEqual(permitCount, 1);
}
