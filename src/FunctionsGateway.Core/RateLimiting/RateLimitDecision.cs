namespace FunctionsGateway.RateLimiting;

/// <summary>The rate limiter's answer for one request on a limited route.</summary>
/// <param name="Admitted">Whether the request may proceed.</param>
/// <param name="StoreUnavailable">Rejected because the counters could not be reached and the route fails closed (answer 503, not 429).</param>
/// <param name="RetryAfterSeconds">For a rejection: the <c>Retry-After</c> value in whole seconds; 0 when admitted.</param>
/// <param name="PolicyHeader">The <c>RateLimit-Policy</c> header value.</param>
/// <param name="StateHeader">The <c>RateLimit</c> header value.</param>
/// <param name="Partition">The key the request was counted by, for logs.</param>
/// <remarks>A caller whose plan is <c>none</c> on the route gets <see cref="Unlimited"/>: admitted, with no headers.</remarks>
internal readonly record struct RateLimitDecision(bool Admitted, bool StoreUnavailable, int RetryAfterSeconds, string PolicyHeader, string StateHeader, string Partition)
{
    /// <summary>Admitted without counting, because the caller's plan has no limit on the route; there are no header values.</summary>
    public static readonly RateLimitDecision Unlimited = new(true, false, 0, string.Empty, string.Empty, string.Empty);
}
