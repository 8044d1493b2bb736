using System.Text;
using FunctionsGateway.Routing;

namespace FunctionsGateway.Configuration;

/// <summary>
/// Warns, on the status listing, about a valid route that can never serve: another route has the same path
/// (parameter names aside), <c>Methods</c>, <c>Hosts</c> and <c>MatchHeaders</c>, so the matcher always picks the
/// one with the lower <c>Order</c> (then the lower row keys) and the other is dead weight, usually a copy made by
/// mistake. One pass with a dictionary: linear in the number of routes.
/// </summary>
internal static class ShadowedRouteWarnings
{
    /// <summary>At most this many such warnings are listed, so a large table cannot flood the listing and the log.</summary>
    public const int MaxWarnings = 50;

    /// <summary>One warning per shadowed route, on its <c>Path</c> column, naming the route that serves in its place.</summary>
    public static IEnumerable<ConfigProblem> Find(IEnumerable<RouteDefinition> routes)
    {
        var winners = new Dictionary<string, RouteDefinition>(StringComparer.Ordinal);
        var shadowed = new List<(RouteDefinition Loser, string Key)>();
        foreach (var route in routes)
        {
            var key = ConditionsKey(route);
            if (!winners.TryGetValue(key, out var current))
            {
                winners[key] = route;
                continue;
            }

            if (Wins(route, current))
            {
                winners[key] = route;
                shadowed.Add((current, key));
            }
            else
            {
                shadowed.Add((route, key));
            }
        }

        return shadowed
            .OrderBy(s => s.Loser.Id.Table, StringComparer.Ordinal)
            .ThenBy(s => s.Loser.Id.PartitionKey, StringComparer.Ordinal)
            .ThenBy(s => s.Loser.Id.RowKey, StringComparer.Ordinal)
            .Take(MaxWarnings)
            .Select(s => new ConfigProblem(s.Loser.Id, RouteColumns.Path, ProblemSeverity.Warning, Message(s.Loser, winners[s.Key])));
    }

    private static string Message(RouteDefinition loser, RouteDefinition winner) =>
        $"never serves: {winner.Id} has the same Path, Methods, Hosts and MatchHeaders and is chosen first "
        + (loser.Order == winner.Order
            ? $"(both have Order {winner.Order}, so the lower row keys win). "
            : $"(its Order {winner.Order} is lower than {loser.Order}). ")
        + $"Delete this row if it is a copy; to serve this one instead, give it an Order lower than {winner.Order}; "
        + "to serve both, make their Path, Methods, Hosts or MatchHeaders differ";

    // The matcher's order between two routes with the same conditions: the lower Order, then the row keys.
    private static bool Wins(RouteDefinition x, RouteDefinition y)
    {
        var result = x.Order.CompareTo(y.Order);
        if (result == 0)
        {
            result = string.CompareOrdinal(x.Id.Table, y.Id.Table);
        }

        if (result == 0)
        {
            result = string.CompareOrdinal(x.Id.PartitionKey, y.Id.PartitionKey);
        }

        if (result == 0)
        {
            result = string.CompareOrdinal(x.Id.RowKey, y.Id.RowKey);
        }

        return result < 0;
    }

    // What the matcher compares: literal segments case-insensitively, parameters by kind only, the sets of
    // methods, hosts (no trailing dot) and header conditions (names case-insensitive, values as matched).
    private static string ConditionsKey(RouteDefinition route)
    {
        var key = new StringBuilder();
        foreach (var segment in route.Path.Segments)
        {
            key.Append('/').Append(segment.Kind switch
            {
                TemplateSegmentKind.Literal => segment.Value.ToUpperInvariant(),
                TemplateSegmentKind.Parameter => "{}",
                _ => "{**}",
            });
        }

        key.Append('\n').AppendJoin(',', route.Methods.Select(m => m.ToUpperInvariant()).Distinct().Order(StringComparer.Ordinal));
        key.Append('\n').AppendJoin(',', route.Hosts.Select(h => h.Text.TrimEnd('.').ToUpperInvariant()).Distinct().Order(StringComparer.Ordinal));
        key.Append('\n').AppendJoin(',', route.MatchHeaders
            .Select(h => h.Value is null ? h.Name.ToUpperInvariant() : h.Name.ToUpperInvariant() + "=" + h.Value.ToUpperInvariant())
            .Distinct().Order(StringComparer.Ordinal));
        return key.ToString();
    }
}
