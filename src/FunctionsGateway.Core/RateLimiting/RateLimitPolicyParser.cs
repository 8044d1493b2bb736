using System.Collections.Immutable;
using System.Globalization;
using FunctionsGateway.Configuration;

namespace FunctionsGateway.RateLimiting;

/// <summary>
/// Reads a route row's <c>RateLimit</c>, <c>RateLimitBy</c>, <c>RateLimitMode</c>, <c>RateLimitFailure</c> and
/// <c>RateLimitPlans</c> columns into a <see cref="RateLimitPolicy"/>. Every problem is reported on the row, naming
/// the column and what to write instead.
/// </summary>
internal static class RateLimitPolicyParser
{
    /// <summary>The largest number of requests one limit may admit per window.</summary>
    public const int MaxPermits = 100_000_000;

    private const string LimitExample = "100/1m";
    private static readonly TimeSpan MaxWindow = TimeSpan.FromDays(1);

    /// <summary>
    /// The row's policy; null when the row has no <c>RateLimit</c> (then no other rate limit column may be set)
    /// or when a column is wrong (the row then has errors).
    /// </summary>
    public static RateLimitPolicy? Parse(RowReader row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var errorsBefore = row.Problems.Count(p => p.Severity == ProblemSeverity.Error);
        var rules = ParseRules(row);
        var keySource = ParseKeySource(row);
        var mode = ParseKeyword(row, RateLimitColumns.RateLimitMode, RateLimitMode.Leased, ("leased", RateLimitMode.Leased), ("exact", RateLimitMode.Exact), ("local", RateLimitMode.Local));
        var failure = ParseKeyword(row, RateLimitColumns.RateLimitFailure, RateLimitFailureMode.Open, ("open", RateLimitFailureMode.Open), ("closed", RateLimitFailureMode.Closed));
        var plans = RateLimitPlansParser.Parse(row);

        if (rules.IsDefaultOrEmpty && !row.Has(RateLimitColumns.RateLimit))
        {
            foreach (var column in RateLimitColumns.All.Skip(1).Where(row.Has))
            {
                row.Error(column, column == RateLimitColumns.RateLimitPlans
                    ? $"needs a RateLimit column too, the limit of callers whose plan is not listed and of anonymous callers; add RateLimit such as {LimitExample} (or a large one such as 1000000/1d to leave them nearly unlimited), or remove RateLimitPlans"
                    : $"has no effect without a limit; add a RateLimit column such as {LimitExample}, or remove {column}");
            }

            return null;
        }

        if (mode == RateLimitMode.Local && row.Has(RateLimitColumns.RateLimitFailure))
        {
            row.Warning(RateLimitColumns.RateLimitFailure, "has no effect with RateLimitMode local, which uses no storage; remove it");
        }

        var errorsAfter = row.Problems.Count(p => p.Severity == ProblemSeverity.Error);
        return errorsAfter > errorsBefore || rules.IsDefaultOrEmpty ? null : new RateLimitPolicy(rules, keySource, mode, failure) { Plans = plans };
    }

    private static ImmutableArray<RateLimitRule> ParseRules(RowReader row) =>
        ParseRuleList(row.List(RateLimitColumns.RateLimit, "limit", LimitExample), error => row.Error(RateLimitColumns.RateLimit, error));

    /// <summary>
    /// Parses limits such as <c>10/1s</c>, <c>1000/1h</c> into rules ordered by window length; each bad item, and each
    /// second limit of one period, is reported through <paramref name="report"/>.
    /// </summary>
    public static ImmutableArray<RateLimitRule> ParseRuleList(ImmutableArray<string> items, Action<string> report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (items.IsDefaultOrEmpty)
        {
            return [];
        }

        var rules = ImmutableArray.CreateBuilder<RateLimitRule>(items.Length);
        foreach (var item in items)
        {
            if (!TryParseRule(item, out var rule, out var error))
            {
                report(error);
                continue;
            }

            var same = rules.FirstOrDefault(r => r.Window == rule.Window);
            if (same is not null)
            {
                report($"'{same.Text}' and '{rule.Text}' limit the same period; keep one");
                continue;
            }

            rules.Add(rule);
        }

        return [.. rules.OrderBy(r => r.Window)];
    }

    /// <summary>Parses one <c>COUNT/PERIOD</c> item such as <c>100/1m</c>, <c>10/1s</c> or <c>10000/1d</c>.</summary>
    public static bool TryParseRule(string text, out RateLimitRule rule, out string error)
    {
        rule = null!;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            error = $"'{text}' is not COUNT/PERIOD; write a limit such as {LimitExample} (100 requests a minute)";
            return false;
        }

        var count = text[..slash].Trim();
        var period = text[(slash + 1)..].Trim();
        if (!int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out var permits) || permits < 1 || permits > MaxPermits)
        {
            error = $"'{count}' in '{text}' is not a request count; write a whole number from 1 to {MaxPermits}, as in {LimitExample}";
            return false;
        }

        if (!TryParsePeriod(period, out var window))
        {
            error = $"'{period}' in '{text}' is not a period; write a number and a unit s, m, h or d (1s, 30s, 1m, 1h, 1d)";
            return false;
        }

        if (window > MaxWindow)
        {
            error = $"'{period}' in '{text}' is longer than a day; write a period from 1s to 1d, such as 1d for a daily quota";
            return false;
        }

        rule = new RateLimitRule(permits, window, $"{permits}/{period}");
        error = string.Empty;
        return true;
    }

    private static bool TryParsePeriod(string period, out TimeSpan window)
    {
        window = default;
        if (period.Length < 2)
        {
            return false;
        }

        var unit = period[^1] switch
        {
            's' => TimeSpan.FromSeconds(1),
            'm' => TimeSpan.FromMinutes(1),
            'h' => TimeSpan.FromHours(1),
            'd' => TimeSpan.FromDays(1),
            _ => TimeSpan.Zero,
        };
        if (unit == TimeSpan.Zero
            || !int.TryParse(period.AsSpan(0, period.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount)
            || amount < 1
            || amount > 86_400)
        {
            return false;
        }

        window = unit * amount;
        return true;
    }

    private static RateLimitKeySource ParseKeySource(RowReader row)
    {
        const string WhatToWrite = "write consumer, ip, route, header:NAME or claim:NAME";
        var text = row.String(RateLimitColumns.RateLimitBy);
        if (text is null)
        {
            return RateLimitKeySource.Consumer;
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var kind = (colon < 0 ? text : text[..colon]).Trim().ToLowerInvariant();
        var name = colon < 0 ? null : text[(colon + 1)..].Trim();
        switch (kind)
        {
            case "consumer" or "ip" or "route" when name is null:
                return new RateLimitKeySource(kind switch { "consumer" => RateLimitKeyKind.Consumer, "ip" => RateLimitKeyKind.Ip, _ => RateLimitKeyKind.Route });
            case "consumer" or "ip" or "route":
                row.Error(RateLimitColumns.RateLimitBy, $"'{text}': {kind} takes no name; write {kind}");
                return RateLimitKeySource.Consumer;
            case "header" when name is { Length: > 0 } && IsHeaderName(name):
                return new RateLimitKeySource(RateLimitKeyKind.Header, name);
            case "header":
                row.Error(RateLimitColumns.RateLimitBy, $"'{text}' does not name a header; write header:NAME with a header name such as header:X-Tenant");
                return RateLimitKeySource.Consumer;
            case "claim" when name is { Length: > 0 } && !name.Any(char.IsWhiteSpace):
                return new RateLimitKeySource(RateLimitKeyKind.Claim, name);
            case "claim":
                row.Error(RateLimitColumns.RateLimitBy, $"'{text}' does not name a claim; write claim:NAME with a claim name such as claim:tid");
                return RateLimitKeySource.Consumer;
            default:
                row.Error(RateLimitColumns.RateLimitBy, $"'{text}' is not a key; {WhatToWrite}");
                return RateLimitKeySource.Consumer;
        }
    }

    private static T ParseKeyword<T>(RowReader row, string column, T defaultValue, params (string Word, T Value)[] words)
    {
        var text = row.String(column);
        if (text is null)
        {
            return defaultValue;
        }

        foreach (var (word, value) in words)
        {
            if (string.Equals(text, word, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        row.Error(column, $"'{text}' is not a choice; write {string.Join(", ", words.Select(w => w.Word).SkipLast(1))} or {words[^1].Word}");
        return defaultValue;
    }

    // RFC 9110 token characters.
    private static bool IsHeaderName(string name) =>
        name.All(c => c < 128 && (char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal)));
}
