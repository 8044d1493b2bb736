using System.Collections.Immutable;

namespace FunctionsGateway.RateLimiting;

/// <summary>
/// A route's validated rate limit: every rule must admit a request for it to pass. A caller whose plan is listed in
/// <see cref="Plans"/> gets that plan's limits instead of <see cref="RateLimitRuleSet.Rules"/>.
/// </summary>
/// <param name="Rules">The limits, at least one, ordered by window length: those of callers whose plan is not listed, who have none or are anonymous.</param>
/// <param name="KeySource">What requests are counted by.</param>
/// <param name="Mode">How counts are shared between instances.</param>
/// <param name="Failure">What happens when the counters cannot be reached.</param>
internal sealed record RateLimitPolicy(
    ImmutableArray<RateLimitRule> Rules,
    RateLimitKeySource KeySource,
    RateLimitMode Mode,
    RateLimitFailureMode Failure) : RateLimitRuleSet(Rules)
{
    /// <summary>The per-plan limits (<c>RateLimitPlans</c>), in the row's order; empty when the route has none.</summary>
    public ImmutableArray<RateLimitPlan> Plans { get; init; } = [];

    /// <summary>Whether both policies limit alike: the same limits in the same order, key, mode, failure policy and plans.</summary>
    /// <remarks>Record equality would compare the rule list by reference; rows read twice must compare equal.</remarks>
    public static bool Same(RateLimitPolicy? a, RateLimitPolicy? b) =>
        a is null || b is null
            ? a is null && b is null
            : a.Rules.SequenceEqual(b.Rules) && a.KeySource == b.KeySource && a.Mode == b.Mode && a.Failure == b.Failure
                && a.Plans.Length == b.Plans.Length && a.Plans.Zip(b.Plans).All(p => RateLimitPlan.Same(p.First, p.Second));

    /// <summary>
    /// The entry of <paramref name="plan"/> (matched ignoring case), or null when the caller has no plan or its plan is
    /// not listed: the caller then gets <see cref="RateLimitRuleSet.Rules"/>. Allocation-free: it runs for every limited request.
    /// </summary>
    public RateLimitPlan? FindPlan(string? plan)
    {
        if (plan is null)
        {
            return null;
        }

        foreach (var entry in Plans)
        {
            if (string.Equals(entry.Name, plan, StringComparison.OrdinalIgnoreCase))
            {
                return entry;
            }
        }

        return null;
    }
}
