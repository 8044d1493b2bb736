namespace FunctionsGateway.RateLimiting;

/// <summary>The rate limiter's answer for one request on a limited route.</summary>
/// <param name="Admitted">Whether the request may proceed.</param>
/// <param name="StoreUnavailable">Rejected because the counters could not be reached and the route fails closed (answer 503, not 429).</param>
/// <param name="RetryAfterSeconds">For a rejection: the <c>Retry-After</c> value in whole seconds; 0 when admitted.</param>
/// <param name="PolicyHeader">The <c>RateLimit-Policy</c> header value.</param>
/// <param name="StateHeader">The <c>RateLimit</c> header value.</param>
/// <param name="Partition">The key the request was counted by, for logs.</param>
internal sealed record RateLimitDecision(bool Admitted, bool StoreUnavailable, int RetryAfterSeconds, string PolicyHeader, string StateHeader, string Partition);
