using System.Collections.Immutable;

namespace FunctionsGateway.RateLimiting;

/// <summary>A route's validated rate limit: every rule must admit a request for it to pass.</summary>
/// <param name="Rules">The limits, at least one, ordered by window length.</param>
/// <param name="KeySource">What requests are counted by.</param>
/// <param name="Mode">How counts are shared between instances.</param>
/// <param name="Failure">What happens when the counters cannot be reached.</param>
internal sealed record RateLimitPolicy(
    ImmutableArray<RateLimitRule> Rules,
    RateLimitKeySource KeySource,
    RateLimitMode Mode,
    RateLimitFailureMode Failure);
