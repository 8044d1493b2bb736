using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace FunctionsGateway.RateLimiting;

/// <summary>
/// The <c>RateLimit-Policy</c> and <c>RateLimit</c> response header values of the IETF httpapi RateLimit headers
/// draft (Structured Field lists): <c>"100/1m";q=100;w=60</c> and <c>"100/1m";r=42;t=30</c>, one item per limit,
/// named by the limit as written in the route row.
/// </summary>
internal static class RateLimitHeaders
{
    public const string PolicyHeader = "RateLimit-Policy";
    public const string StateHeader = "RateLimit";

    /// <summary>The <c>RateLimit-Policy</c> value of the given limits (a plan's, or the route's): quota <c>q</c> per window of <c>w</c> seconds for each.</summary>
    public static string Policy(ImmutableArray<RateLimitRule> rules)
    {
        var text = new StringBuilder();
        foreach (var rule in rules)
        {
            Separate(text).Append(CultureInfo.InvariantCulture, $"\"{rule.Text}\";q={rule.Permits};w={rule.WindowSeconds}");
        }

        return text.ToString();
    }

    /// <summary>
    /// The <c>RateLimit</c> value: remaining <c>r</c> and whole seconds <c>t</c> until the window resets, for the first
    /// <c>states.Length</c> of <paramref name="rules"/> (those asked before one refused). Built in a stack buffer: the
    /// value is the one string an admitted request allocates for its headers.
    /// </summary>
    public static string State(ReadOnlySpan<RateLimitRule> rules, ReadOnlySpan<RateLimitWindowState> states)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(states.Length, rules.Length);
        var text = new DefaultInterpolatedStringHandler(0, 0, CultureInfo.InvariantCulture, stackalloc char[256]);
        for (var i = 0; i < states.Length; i++)
        {
            if (i > 0)
            {
                text.AppendLiteral(", ");
            }

            var (remaining, resetAfter) = states[i];
            text.AppendFormatted(rules[i].StatePrefix);
            text.AppendFormatted(Math.Max(0, remaining));
            text.AppendLiteral(";t=");
            text.AppendFormatted((long)Math.Ceiling(Math.Max(0, resetAfter.TotalSeconds)));
        }

        return text.ToStringAndClear();
    }

    /// <summary>The <c>Retry-After</c> value: whole seconds, at least 1.</summary>
    public static string RetryAfter(TimeSpan wait) =>
        Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    private static StringBuilder Separate(StringBuilder text) => text.Length == 0 ? text : text.Append(", ");
}
