using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using System.Threading.RateLimiting;
using FunctionsGateway.Authentication;
using FunctionsGateway.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace FunctionsGateway.RateLimiting;

/// <summary>
/// The single entry point of rate limiting for the request path: picks the limits of the caller's plan (or the
/// route's <c>RateLimit</c>), resolves the request's key and asks each limit. One
/// <see cref="PartitionedRateLimiter{TResource}"/> is kept per route, plan and limit (and mode and failure policy),
/// so counters of different plans are separate. A limiter nobody used for <see cref="LimiterEntry.IdleLimit"/> (a route
/// edited to other limits, removed, or idle) is disposed by a sweep every <see cref="SweepInterval"/>. Each rejection
/// is counted in <c>gateway.ratelimit.rejections</c> by route and reason.
/// </summary>
internal sealed class GatewayRateLimiter : IDisposable
{
    /// <summary>How often limiters nobody uses are looked for.</summary>
    public static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);

    // Limits a request's states are kept for on the stack; more (one per distinct period) go to the heap.
    private const int StatesOnStack = 8;

    private readonly ConcurrentDictionary<LimiterKey, LimiterEntry> _limiters = new();
    private readonly IRateLimitCounterStore _sharedStore;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ITimer _sweep;

    public GatewayRateLimiter(IRateLimitCounterStore sharedStore, TimeProvider time, ILogger<GatewayRateLimiter> logger)
    {
        _sharedStore = sharedStore;
        _time = time;
        _logger = logger;
        _sweep = time.CreateTimer(static state => ((GatewayRateLimiter)state!).RemoveIdle(), this, SweepInterval, SweepInterval);
    }

    /// <summary>The number of route limiters held (one per route, plan and limit in use).</summary>
    public int LimiterCount => _limiters.Count;

    /// <summary>
    /// Asks each limit of the caller's plan (or the route's), shortest period first, until one refuses. While every
    /// limit answers from tokens this instance holds, this completes synchronously and allocates only the lease
    /// objects and the <c>RateLimit</c> header's value; a request that waits for a claim continues asynchronously.
    /// </summary>
    public ValueTask<RateLimitDecision> CheckAsync(HttpContext context, string routeId, RateLimitPolicy policy, GatewayIdentity identity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(identity);
        var plan = policy.FindPlan(identity.Plan);
        if (plan is { IsUnlimited: true })
        {
            return ValueTask.FromResult(RateLimitDecision.Unlimited);
        }

        var request = new LimitedRequest(routeId, policy, plan, RateLimitKeyResolver.Resolve(policy.KeySource, identity, context));
        var rules = request.Rules.AsSpan();
        var states = rules.Length <= StatesOnStack ? stackalloc RateLimitWindowState[StatesOnStack] : new RateLimitWindowState[rules.Length];
        for (var i = 0; i < rules.Length; i++)
        {
            var pending = AcquireAsync(request, rules[i], cancellationToken);
            if (!pending.IsCompletedSuccessfully)
            {
                return CheckWaitingAsync(request, pending, states[..i].ToArray(), cancellationToken);
            }

            using var lease = pending.Result;
            states[i] = StateOf(lease);
            if (!lease.IsAcquired)
            {
                return ValueTask.FromResult(Rejected(request, lease, states[..(i + 1)]));
            }
        }

        return ValueTask.FromResult(Admitted(request, states[..rules.Length]));
    }

    public void Dispose()
    {
        _sweep.Dispose();
        foreach (var entry in _limiters.Values)
        {
            entry.Limiter.Dispose();
        }

        _limiters.Clear();
    }

    /// <summary>Disposes the limiters nobody used for their idle limit; run by the sweep timer.</summary>
    private void RemoveIdle()
    {
        var now = _time.GetTimestamp();
        foreach (var (key, entry) in _limiters)
        {
            if (_time.GetElapsedTime(entry.LastUsed, now) > entry.IdleLimit && _limiters.TryRemove(new KeyValuePair<LimiterKey, LimiterEntry>(key, entry)))
            {
                entry.Limiter.Dispose();
            }
        }
    }

    // The rest of CheckAsync once a limit has to wait for a claim: the states of the limits asked so far come along.
    private async ValueTask<RateLimitDecision> CheckWaitingAsync(LimitedRequest request, ValueTask<RateLimitLease> pending, RateLimitWindowState[] asked, CancellationToken cancellationToken)
    {
        var rules = request.Rules;
        var states = new RateLimitWindowState[rules.Length];
        asked.CopyTo(states, 0);
        for (var i = asked.Length; i < rules.Length; i++)
        {
            using var lease = i == asked.Length ? await pending.ConfigureAwait(false) : await AcquireAsync(request, rules[i], cancellationToken).ConfigureAwait(false);
            states[i] = StateOf(lease);
            if (!lease.IsAcquired)
            {
                return Rejected(request, lease, states.AsSpan(0, i + 1));
            }
        }

        return Admitted(request, states);
    }

    private static RateLimitDecision Admitted(LimitedRequest request, ReadOnlySpan<RateLimitWindowState> states) =>
        new(true, false, 0, request.PolicyHeader, RateLimitHeaders.State(request.Rules.AsSpan(), states), request.Key);

    private static RateLimitDecision Rejected(LimitedRequest request, RateLimitLease lease, ReadOnlySpan<RateLimitWindowState> states)
    {
        var storeUnavailable = lease.TryGetMetadata(StoreFallbackRateLimiter.StoreUnavailable, out var unavailable) && unavailable;
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.Zero;
        GatewayTelemetry.RateLimitRejections.Add(
            1,
            new KeyValuePair<string, object?>("route", request.RouteId),
            new KeyValuePair<string, object?>("reason", storeUnavailable ? "store_unavailable" : "limit"));
        return new RateLimitDecision(
            false,
            storeUnavailable,
            int.Parse(RateLimitHeaders.RetryAfter(retryAfter), CultureInfo.InvariantCulture),
            request.PolicyHeader,
            RateLimitHeaders.State(request.Rules.AsSpan(), states),
            request.Key);
    }

    // Read from the lease's own properties: the standard metadata accessors box each value.
    private static RateLimitWindowState StateOf(RateLimitLease lease) =>
        lease is WindowLimiterLease window
            ? new RateLimitWindowState(window.RemainingPermits, window.ResetAfterTime)
            : new RateLimitWindowState(
                lease.TryGetMetadata(WindowLimiterLease.Remaining, out var remaining) ? remaining : 0,
                lease.TryGetMetadata(WindowLimiterLease.ResetAfter, out var resetAfter) ? resetAfter : TimeSpan.Zero);

    private ValueTask<RateLimitLease> AcquireAsync(LimitedRequest request, RateLimitRule rule, CancellationToken cancellationToken, bool swept = false)
    {
        var limiterKey = new LimiterKey(request.RouteId, request.Plan?.Name, rule.Text, request.Policy.Mode, request.Policy.Failure);
        var entry = _limiters.GetOrAdd(limiterKey, static (k, state) => state.Self.NewEntry(k, state.Rule), (Self: this, Rule: rule));
        entry.Touch(_time);
        try
        {
            return entry.Limiter.AcquireAsync(request.Key, 1, cancellationToken);
        }
        catch (ObjectDisposedException) when (!swept)
        {
            // Swept between the lookup and this call (it had been idle for minutes): the next lookup makes a new one.
            return AcquireAsync(request, rule, cancellationToken, swept: true);
        }
    }

    private LimiterEntry NewEntry(LimiterKey key, RateLimitRule rule)
    {
        // Counters of a plan have their own names, so a plan's and the route's limit never share a count.
        var scope = key.Plan is null ? key.Route : $"{key.Route}\nplan:{key.Plan}";
        var limiter = SharedRateLimiterPartitions.Create(scope, rule, key.Mode, key.Failure, _sharedStore, _time, _logger);
        return new LimiterEntry(limiter, LimiterEntry.IdleLimitOf(rule, key.Mode), _time.GetTimestamp());
    }

    /// <summary>What one limited request is checked with: its route, the limits that apply and its key.</summary>
    private readonly record struct LimitedRequest(string RouteId, RateLimitPolicy Policy, RateLimitPlan? Plan, string Key)
    {
        public ImmutableArray<RateLimitRule> Rules => Plan?.Rules ?? Policy.Rules;

        public string PolicyHeader => Plan?.PolicyHeader ?? Policy.PolicyHeader;
    }

    private readonly record struct LimiterKey(string Route, string? Plan, string Rule, RateLimitMode Mode, RateLimitFailureMode Failure);

    /// <summary>A route limiter and when it was last used.</summary>
    private sealed class LimiterEntry(PartitionedRateLimiter<string> limiter, TimeSpan idleLimit, long lastUsed)
    {
        private long _lastUsed = lastUsed;

        public PartitionedRateLimiter<string> Limiter { get; } = limiter;

        /// <summary>
        /// How long the limiter may go unused before it is disposed. The shared modes keep their counts in the table,
        /// so a minute; local mode keeps them only here, so two windows (after which no estimate reads them).
        /// </summary>
        public TimeSpan IdleLimit { get; } = idleLimit;

        public long LastUsed => Interlocked.Read(ref _lastUsed);

        public static TimeSpan IdleLimitOf(RateLimitRule rule, RateLimitMode mode) =>
            mode == RateLimitMode.Local && rule.Window * 2 > SweepInterval ? rule.Window * 2 : SweepInterval;

        // At most one write a second: every request of a busy route touches this entry, from every core.
        public void Touch(TimeProvider time)
        {
            var now = time.GetTimestamp();
            if (now - Interlocked.Read(ref _lastUsed) > time.TimestampFrequency)
            {
                Interlocked.Exchange(ref _lastUsed, now);
            }
        }
    }
}
