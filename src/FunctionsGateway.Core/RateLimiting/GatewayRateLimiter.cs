using System.Collections.Concurrent;
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

    public async ValueTask<RateLimitDecision> CheckAsync(HttpContext context, string routeId, RateLimitPolicy policy, GatewayIdentity identity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(identity);
        var plan = policy.FindPlan(identity.Plan);
        if (plan is { IsUnlimited: true })
        {
            return RateLimitDecision.Unlimited;
        }

        var rules = plan?.Rules ?? policy.Rules;
        var key = RateLimitKeyResolver.Resolve(policy.KeySource, identity, context);
        var states = new List<(RateLimitRule Rule, long Remaining, TimeSpan ResetAfter)>(rules.Length);
        var admitted = true;
        var storeUnavailable = false;
        var retryAfter = TimeSpan.Zero;
        foreach (var rule in rules)
        {
            using var lease = await AcquireAsync(new LimiterKey(routeId, plan?.Name, rule.Text, policy.Mode, policy.Failure), rule, key, cancellationToken).ConfigureAwait(false);
            var remaining = lease.TryGetMetadata(WindowLimiterLease.Remaining, out var r) ? r : 0;
            var reset = lease.TryGetMetadata(WindowLimiterLease.ResetAfter, out var t) ? t : TimeSpan.Zero;
            states.Add((rule, remaining, reset));
            if (!lease.IsAcquired)
            {
                admitted = false;
                storeUnavailable |= lease.TryGetMetadata(StoreFallbackRateLimiter.StoreUnavailable, out var unavailable) && unavailable;
                if (lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) && wait > retryAfter)
                {
                    retryAfter = wait;
                }

                break;
            }
        }

        if (!admitted)
        {
            GatewayTelemetry.RateLimitRejections.Add(
                1,
                new KeyValuePair<string, object?>("route", routeId),
                new KeyValuePair<string, object?>("reason", storeUnavailable ? "store_unavailable" : "limit"));
        }

        return new RateLimitDecision(
            admitted,
            storeUnavailable,
            admitted ? 0 : int.Parse(RateLimitHeaders.RetryAfter(retryAfter), CultureInfo.InvariantCulture),
            RateLimitHeaders.Policy(rules),
            RateLimitHeaders.State(states),
            key);
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

    private async ValueTask<RateLimitLease> AcquireAsync(LimiterKey limiterKey, RateLimitRule rule, string key, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var entry = _limiters.GetOrAdd(limiterKey, static (k, state) => state.Self.NewEntry(k, state.Rule), (Self: this, Rule: rule));
            entry.Touch(_time);
            try
            {
                return await entry.Limiter.AcquireAsync(key, 1, cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectDisposedException) when (attempt == 0)
            {
                // Swept between the lookup and this call (it had been idle for minutes): the next lookup makes a new one.
            }
        }
    }

    private LimiterEntry NewEntry(LimiterKey key, RateLimitRule rule)
    {
        // Counters of a plan have their own names, so a plan's and the route's limit never share a count.
        var scope = key.Plan is null ? key.Route : $"{key.Route}\nplan:{key.Plan}";
        var limiter = SharedRateLimiterPartitions.Create(scope, rule, key.Mode, key.Failure, _sharedStore, _time, _logger);
        return new LimiterEntry(limiter, LimiterEntry.IdleLimitOf(rule, key.Mode), _time.GetTimestamp());
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
