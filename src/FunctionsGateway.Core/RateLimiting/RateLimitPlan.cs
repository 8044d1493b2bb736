using System.Collections.Immutable;

namespace FunctionsGateway.RateLimiting;

/// <summary>One entry of a route's <c>RateLimitPlans</c>: the limits of callers on one plan.</summary>
/// <param name="Name">The plan's name as written in the row; callers' plans are matched to it ignoring case.</param>
/// <param name="Rules">The plan's limits ordered by window length; empty for <c>none</c> (not limited).</param>
internal sealed record RateLimitPlan(string Name, ImmutableArray<RateLimitRule> Rules) : RateLimitRuleSet(Rules)
{
    /// <summary>Whether the plan is <c>none</c>: its callers are not limited on the route.</summary>
    public bool IsUnlimited => Rules.IsEmpty;

    /// <summary>Whether both entries are alike: the same name and the same limits in the same order.</summary>
    /// <remarks>Record equality would compare the rule list by reference; rows read twice must compare equal.</remarks>
    public static bool Same(RateLimitPlan a, RateLimitPlan b) =>
        string.Equals(a.Name, b.Name, StringComparison.Ordinal) && a.Rules.SequenceEqual(b.Rules);
}
