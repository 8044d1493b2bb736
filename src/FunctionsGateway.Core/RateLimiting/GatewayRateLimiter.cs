using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.RateLimiting;
using FunctionsGateway.Authentication;
using FunctionsGateway.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace FunctionsGateway.RateLimiting;

/// <summary>
/// The single entry point of rate limiting for the request path: resolves the request's key and asks each limit
/// of the route's policy. One <see cref="PartitionedRateLimiter{TResource}"/> is kept per route and limit (and
/// mode and failure policy); a route edited to other limits gets new ones, the old ones stay until restart.
/// Each rejection is counted in <c>gateway.ratelimit.rejections</c> by route and reason.
/// </summary>
internal sealed class GatewayRateLimiter(IRateLimitCounterStore sharedStore, TimeProvider time, ILogger<GatewayRateLimiter> logger)
{
    private readonly ConcurrentDictionary<(string Route, string Rule, RateLimitMode Mode, RateLimitFailureMode Failure), PartitionedRateLimiter<string>> _limiters = new();

    public async ValueTask<RateLimitDecision> CheckAsync(HttpContext context, string routeId, RateLimitPolicy policy, GatewayIdentity identity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var key = RateLimitKeyResolver.Resolve(policy.KeySource, identity, context);
        var states = new List<(RateLimitRule Rule, long Remaining, TimeSpan ResetAfter)>(policy.Rules.Length);
        var admitted = true;
        var storeUnavailable = false;
        var retryAfter = TimeSpan.Zero;
        foreach (var rule in policy.Rules)
        {
            var limiter = _limiters.GetOrAdd(
                (routeId, rule.Text, policy.Mode, policy.Failure),
                k => SharedRateLimiterPartitions.Create(k.Route, rule, k.Mode, k.Failure, sharedStore, time, logger));
            using var lease = await limiter.AcquireAsync(key, 1, cancellationToken).ConfigureAwait(false);
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
            RateLimitHeaders.Policy(policy),
            RateLimitHeaders.State(states),
            key);
    }
}
