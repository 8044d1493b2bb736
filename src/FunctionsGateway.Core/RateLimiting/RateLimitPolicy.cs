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
    RateLimitFailureMode Failure)
{
    /// <summary>Whether both policies limit alike: the same limits in the same order, key, mode and failure policy.</summary>
    /// <remarks>Record equality would compare the rule list by reference; rows read twice must compare equal.</remarks>
    public static bool Same(RateLimitPolicy? a, RateLimitPolicy? b) =>
        a is null || b is null
            ? a is null && b is null
            : a.Rules.SequenceEqual(b.Rules) && a.KeySource == b.KeySource && a.Mode == b.Mode && a.Failure == b.Failure;
}
