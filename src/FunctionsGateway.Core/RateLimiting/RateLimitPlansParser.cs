using System.Collections.Immutable;
using FunctionsGateway.Authentication;
using FunctionsGateway.Configuration;

namespace FunctionsGateway.RateLimiting;

/// <summary>
/// Reads a route row's <c>RateLimitPlans</c>: entries separated by <c>;</c>, each <c>NAME: LIMITS</c> where LIMITS
/// are written as in <c>RateLimit</c> (<c>1000/1m, 100000/1d</c>) or are <c>none</c> (not limited), such as
/// <c>gold: 1000/1m, 100000/1d; free: 10/1m; internal: none</c>. Every problem is reported on the row.
/// </summary>
internal static class RateLimitPlansParser
{
    private const string Example = "gold: 1000/1m, 100000/1d; free: 10/1m; internal: none";
    private const string None = "none";

    /// <summary>The plans in the row's order; empty when the column is absent or an entry is wrong (the row then has errors).</summary>
    public static ImmutableArray<RateLimitPlan> Parse(RowReader row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var text = row.String(RateLimitColumns.RateLimitPlans);
        if (text is null)
        {
            return [];
        }

        var plans = ImmutableArray.CreateBuilder<RateLimitPlan>();
        var valid = true;
        foreach (var entry in text.Split(';', StringSplitOptions.TrimEntries))
        {
            var plan = ParseEntry(text, entry, error =>
            {
                valid = false;
                row.Error(RateLimitColumns.RateLimitPlans, error);
            });
            if (plan is null)
            {
                continue;
            }

            if (plans.Any(p => string.Equals(p.Name, plan.Name, StringComparison.OrdinalIgnoreCase)))
            {
                valid = false;
                row.Error(RateLimitColumns.RateLimitPlans, $"plan '{plan.Name}' is listed twice (plan names are compared ignoring case); keep one entry for it");
                continue;
            }

            plans.Add(plan);
        }

        return valid ? plans.ToImmutable() : [];
    }

    private static RateLimitPlan? ParseEntry(string text, string entry, Action<string> report)
    {
        if (entry.Length == 0)
        {
            report($"'{text}' has an empty entry; separate plans with single ';', such as {Example}");
            return null;
        }

        var colon = entry.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            report($"'{entry}' is not NAME: LIMITS; write a plan name, a colon and its limits or none, such as {Example}");
            return null;
        }

        var name = entry[..colon].Trim();
        var limits = entry[(colon + 1)..].Trim();
        if (name.Length == 0)
        {
            report($"'{entry}' has no plan name before ':'; write NAME: LIMITS, such as gold: 1000/1m");
            return null;
        }

        if (!PlanName.IsValid(name))
        {
            report(PlanName.Problem(name));
            return null;
        }

        if (limits.Length == 0)
        {
            report($"plan '{name}' has no limits after ':'; write limits as in RateLimit, such as {name}: 1000/1m, or {name}: none for no limit");
            return null;
        }

        if (string.Equals(limits, None, StringComparison.OrdinalIgnoreCase))
        {
            return new RateLimitPlan(name, []);
        }

        if (!CommaList.TryParse(limits, "limit", "1000/1m,100000/1d", out var items, out var listError))
        {
            report($"plan '{name}': {listError}");
            return null;
        }

        var failed = false;
        var rules = RateLimitPolicyParser.ParseRuleList(items, error =>
        {
            failed = true;
            report($"plan '{name}': {error}");
        });
        return failed ? null : new RateLimitPlan(name, rules);
    }
}
