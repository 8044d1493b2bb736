namespace FunctionsGateway.Configuration;

/// <summary>
/// What applying a route set changes: the file is the whole set, so a row only in the file is created, a row in both
/// with other columns (another value, another type, a column added or removed) is updated, and a row only in the
/// tables is deleted.
/// </summary>
internal static class RouteSetDiff
{
    /// <summary>The changes, in the order they are applied (<see cref="RouteSetChange.ApplyOrder"/>, then by keys).</summary>
    public static IReadOnlyList<RouteSetChange> Between(IReadOnlyList<RouteSetRow> file, IReadOnlyList<RouteSetRow> tables)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(tables);
        var stored = tables.ToDictionary(r => r.Key);
        var wanted = file.Select(r => r.Key).ToHashSet();
        var changes = new List<RouteSetChange>();
        foreach (var row in file)
        {
            if (!stored.TryGetValue(row.Key, out var current))
            {
                changes.Add(new RouteSetChange(RouteSetChangeKind.Create, row, default, Compare(null, row)));
            }
            else if (Compare(current, row) is { Count: > 0 } columns)
            {
                changes.Add(new RouteSetChange(RouteSetChangeKind.Update, row, current.ETag, columns));
            }
        }

        foreach (var row in tables.Where(r => !wanted.Contains(r.Key)))
        {
            changes.Add(new RouteSetChange(RouteSetChangeKind.Delete, row, row.ETag, Compare(row, null)));
        }

        return [.. changes.OrderBy(c => c.ApplyOrder)
            .ThenBy(c => c.Row.PartitionKey, StringComparer.Ordinal)
            .ThenBy(c => c.Row.RowKey, StringComparer.Ordinal)];
    }

    private static List<RouteSetColumnChange> Compare(RouteSetRow? before, RouteSetRow? after)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        names.UnionWith(before?.Columns.Keys ?? []);
        names.UnionWith(after?.Columns.Keys ?? []);
        var changes = new List<RouteSetColumnChange>();
        foreach (var name in names)
        {
            var old = before?.Columns.GetValueOrDefault(name);
            var @new = after?.Columns.GetValueOrDefault(name);
            if (old is null || @new is null || !RouteSetValue.AreEqual(old, @new))
            {
                changes.Add(new RouteSetColumnChange(name, old, @new));
            }
        }

        return changes;
    }
}
