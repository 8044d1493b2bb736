using System.Collections.Immutable;

namespace FunctionsGateway.Configuration;

/// <summary>
/// The one reading of every comma-separated column (a route's <c>Methods</c>, <c>Hosts</c>, <c>MatchHeaders</c>,
/// <c>Scopes</c> and <c>Roles</c>, an API key's <c>Scopes</c>): items are trimmed, and an empty item
/// (<c>a,,b</c>, a leading or trailing comma, a lone comma) is an error rather than skipped, because a list
/// that silently shrinks can widen what a row allows (a <c>Hosts</c> of <c>,</c> would otherwise match every host).
/// Each caller then checks the items' own syntax.
/// </summary>
internal static class CommaList
{
    /// <summary>Splits <paramref name="text"/>; a null or blank text is the empty list.</summary>
    /// <param name="text">The column's value.</param>
    /// <param name="kind">What one item is, for the message: <c>method</c>, <c>scope</c>.</param>
    /// <param name="example">A valid list of that kind, for the message: <c>GET,POST</c>.</param>
    /// <param name="items">The trimmed items in their order, duplicates kept; empty when the text is not a list.</param>
    /// <param name="error">What is wrong and what to write instead, or an empty string.</param>
    /// <returns>Whether every item is non-empty.</returns>
    public static bool TryParse(string? text, string kind, string example, out ImmutableArray<string> items, out string error)
    {
        items = [];
        error = string.Empty;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (Array.IndexOf(parts, string.Empty) >= 0)
        {
            error = $"'{text.Trim()}' has an empty entry; list {kind}s separated by single commas, such as {example}";
            return false;
        }

        items = ImmutableArray.Create(parts);
        return true;
    }
}
