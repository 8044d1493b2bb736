using System.Collections.Immutable;

namespace FunctionsGateway.RateLimiting;

/// <summary>
/// Limits that apply together, a route's <c>RateLimit</c> or a plan's, with their <c>RateLimit-Policy</c> value made
/// once rather than for every request.
/// </summary>
/// <param name="Rules">The limits ordered by window length.</param>
internal abstract record RateLimitRuleSet(ImmutableArray<RateLimitRule> Rules)
{
    /// <summary>The limits; setting them (<c>with</c>) remakes <see cref="PolicyHeader"/>.</summary>
    public ImmutableArray<RateLimitRule> Rules
    {
        get;
        init
        {
            field = value;
            PolicyHeader = RateLimitHeaders.Policy(value);
        }
    }

    = Rules;

    /// <summary>The <c>RateLimit-Policy</c> value of <see cref="Rules"/>; empty when there are none (a plan's <c>none</c>).</summary>
    public string PolicyHeader { get; private init; } = RateLimitHeaders.Policy(Rules);
}
