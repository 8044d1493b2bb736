using Azure;
using Azure.Data.Tables;

namespace FunctionsGateway.Configuration;

/// <summary>
/// The <c>LastValidRows</c> table as one refresh read it: the shared last valid version of each Routes and Backends
/// row, so every instance, however recently started, serves the same version of an invalid row. While the snapshot is
/// built it answers which copy an invalid row falls back to (<see cref="Find"/>), learns which rows are valid now
/// (<see cref="Keep"/>) and plans the writes that keep the table current (<see cref="Changes"/>): a valid row whose
/// copy is missing, older or edited by hand is copied, the copy of a deleted row is removed, nothing else is written.
/// </summary>
internal sealed class LastValidCopies
{
    /// <summary>The column holding the source row's ETag when it was copied.</summary>
    public const string SourceETagColumn = "SourceETag";

    /// <summary>The column holding the source row's Timestamp when it was copied.</summary>
    public const string SourceTimestampColumn = "SourceTimestamp";

    private readonly string _table;
    private readonly Dictionary<RowId, LastValidCopy> _copies = [];
    private readonly Dictionary<(string PartitionKey, string RowKey), string> _rowETags = [];
    private readonly HashSet<RowId> _seen = [];
    private readonly List<LastValidCopyChange> _changes = [];
    private readonly List<ConfigProblem> _problems = [];

    private LastValidCopies(string table) => _table = table;

    /// <summary>The writes this refresh decided on, in the order they were decided.</summary>
    public IReadOnlyList<LastValidCopyChange> Changes => _changes;

    /// <summary>Copy rows that cannot be used (keys or columns edited by hand), as warnings on the copy row.</summary>
    public IReadOnlyList<ConfigProblem> Problems => _problems;

    /// <summary>The copies read, by their keys and ETags: a copy written, edited or removed changes it.</summary>
    public string Fingerprint =>
        string.Join('\n', _rowETags.OrderBy(r => r.Key.PartitionKey, StringComparer.Ordinal).ThenBy(r => r.Key.RowKey, StringComparer.Ordinal)
            .Select(r => $"{r.Key.PartitionKey}\u001f{r.Key.RowKey}\u001f{r.Value}"));

    /// <summary>Reads the copy rows of the partitions named after <paramref name="sourceTables"/>.</summary>
    /// <param name="table">The name of the copies table, for problems.</param>
    /// <param name="sourceTables">The Routes and Backends table names: the copies' PartitionKeys.</param>
    /// <param name="rows">The rows of those partitions.</param>
    /// <param name="unwritten">
    /// Copy rows this instance decided on at an earlier refresh but could not write (storage failed): each stands in for
    /// the stored copy when it is of a newer version, and is written again.
    /// </param>
    public static LastValidCopies Read(string table, IReadOnlyCollection<string> sourceTables, IEnumerable<TableEntity> rows, IEnumerable<TableEntity>? unwritten = null)
    {
        var copies = new LastValidCopies(table);
        foreach (var row in rows)
        {
            copies._rowETags[(row.PartitionKey, row.RowKey)] = row.ETag.ToString();
            if (Parse(row, sourceTables) is { } copy)
            {
                copies._copies[copy.Source] = copy with { ETag = row.ETag };
            }
            else
            {
                copies.Warn(row.PartitionKey, row.RowKey, null, $"is not the copy of a row: its PartitionKey must be the table's name ({string.Join(" or ", sourceTables)}) and its RowKey the row's PartitionKey and RowKey joined by '|' (such as public|orders); the gateway ignores it, delete it");
            }
        }

        foreach (var copy in (unwritten ?? []).Select(row => Parse(row, sourceTables)).OfType<LastValidCopy>())
        {
            var stored = copies._copies.GetValueOrDefault(copy.Source);
            if (stored?.SourceTimestamp is not { } storedAt || storedAt < copy.SourceTimestamp)
            {
                copies._copies[copy.Source] = copy with { ETag = stored?.ETag, Unwritten = true };
            }
        }

        return copies;
    }

    /// <summary>
    /// <paramref name="row"/> is valid (or validly disabled) now: it is what a later invalid edit falls back to. Copies it
    /// when there is no copy, when the copy is of an older version (by the source's Timestamp, so an instance that read
    /// the row just before an edit cannot roll back the copy another instance made after it), or when the copy's
    /// columns were edited by hand.
    /// </summary>
    public void Keep(RowId source, TableEntity row)
    {
        _seen.Add(source);
        if (!_copies.TryGetValue(source, out var copy))
        {
            _changes.Add(new LastValidCopyChange(CopyRow(source, row, row.ETag.ToString(), row.Timestamp), null, Delete: false));
            return;
        }

        var sameVersion = copy.SourceETag == row.ETag.ToString();
        var newer = copy.SourceTimestamp is not { } copied || (row.Timestamp ?? DateTimeOffset.MinValue) > copied;
        if (sameVersion ? copy.Unwritten || !SameColumns(copy.Columns, row) : newer)
        {
            _changes.Add(new LastValidCopyChange(CopyRow(source, row, row.ETag.ToString(), row.Timestamp), copy.ETag, Delete: false));
        }
        else if (copy.Unwritten)
        {
            // This read of the row is older than the version this instance could not store yet.
            _changes.Add(new LastValidCopyChange(CopyRow(copy), copy.ETag, Delete: false));
        }
    }

    /// <summary>
    /// <paramref name="source"/> is invalid now: its stored last valid version, keyed like the source row, or null when
    /// it has none or its copy row lacks what says which version it is.
    /// </summary>
    public TableEntity? Find(RowId source)
    {
        _seen.Add(source);
        if (!_copies.TryGetValue(source, out var copy))
        {
            return null;
        }

        if (copy.SourceETag is null || copy.SourceTimestamp is null)
        {
            Warn(source, null, $"lacks {SourceETagColumn} or {SourceTimestampColumn} (a String and a DateTime), so it is not served; the gateway writes the copy again when the row is valid, or delete it");
            return null;
        }

        if (copy.Unwritten)
        {
            _changes.Add(new LastValidCopyChange(CopyRow(copy), copy.ETag, Delete: false));
        }

        return copy.Columns;
    }

    /// <summary>The copy of <paramref name="source"/> failed validation (edited by hand, or judged by a stricter version): it is not served.</summary>
    public void ReportInvalid(RowId source, IReadOnlyList<ConfigProblem> problems)
    {
        foreach (var problem in problems.Where(p => p.Severity == ProblemSeverity.Error))
        {
            Warn(source, problem.Column, $"is not a valid version of {source} ({problem.Message}), so it is not served; the gateway writes the copy again when the row is valid, or delete it");
        }
    }

    /// <summary>Plans the removal of the copies of rows that no longer exist: a deleted row stops serving everywhere.</summary>
    public void RemoveCopiesOfDeletedRows()
    {
        foreach (var copy in _copies.Values.Where(c => !_seen.Contains(c.Source) && c.ETag is not null))
        {
            _changes.Add(new LastValidCopyChange(new TableEntity(copy.Source.Table, LastValidRowKey.For(copy.Source.PartitionKey, copy.Source.RowKey)), copy.ETag, Delete: true));
        }
    }

    /// <summary>Records that <paramref name="change"/> was written and gave the copy <paramref name="etag"/> (none when deleted).</summary>
    public void Applied(LastValidCopyChange change, ETag? etag)
    {
        var key = (change.Row.PartitionKey, change.Row.RowKey);
        if (change.Delete)
        {
            _rowETags.Remove(key);
        }
        else
        {
            _rowETags[key] = etag?.ToString() ?? string.Empty;
        }
    }

    // A copy row as read, or null when its keys name no row of the source tables.
    private static LastValidCopy? Parse(TableEntity row, IReadOnlyCollection<string> sourceTables)
    {
        if (!sourceTables.Contains(row.PartitionKey) || !LastValidRowKey.TryParse(row.RowKey, out var partitionKey, out var rowKey))
        {
            return null;
        }

        var columns = new TableEntity(partitionKey, rowKey);
        foreach (var name in CopiedColumns(row))
        {
            columns[name] = row[name];
        }

        return new LastValidCopy(
            new RowId(row.PartitionKey, partitionKey, rowKey),
            columns,
            null,
            row.GetString(SourceETagColumn) is { Length: > 0 } etag ? etag : null,
            row.TryGetValue(SourceTimestampColumn, out var at) && at is DateTimeOffset timestamp ? timestamp : null);
    }

    private static TableEntity CopyRow(LastValidCopy copy) =>
        CopyRow(copy.Source, copy.Columns, copy.SourceETag ?? string.Empty, copy.SourceTimestamp);

    private static TableEntity CopyRow(RowId source, TableEntity columns, string sourceETag, DateTimeOffset? sourceTimestamp)
    {
        var copy = new TableEntity(source.Table, LastValidRowKey.For(source.PartitionKey, source.RowKey));
        foreach (var name in CopiedColumns(columns))
        {
            copy[name] = columns[name];
        }

        copy[SourceETagColumn] = sourceETag;
        copy[SourceTimestampColumn] = sourceTimestamp ?? DateTimeOffset.MinValue;
        return copy;
    }

    private static bool SameColumns(TableEntity copy, TableEntity row)
    {
        var columns = CopiedColumns(row).ToList();
        return columns.Count == CopiedColumns(copy).Count()
            && columns.TrueForAll(name => copy.TryGetValue(name, out var value) && SameValue(value, row[name]));
    }

    // A source column named like the copy's own columns is not kept: it would be read back as the copy's, and the copy
    // would never look the same as its row.
    private static IEnumerable<string> CopiedColumns(TableEntity row) =>
        row.Keys.Where(name => !RowReader.IsSystemColumn(name) && name is not SourceETagColumn and not SourceTimestampColumn);

    private static bool SameValue(object? a, object? b) =>
        a is byte[] x && b is byte[] y ? x.AsSpan().SequenceEqual(y) : Equals(a, b);

    private void Warn(RowId source, string? column, string message) =>
        Warn(source.Table, LastValidRowKey.For(source.PartitionKey, source.RowKey), column, message);

    private void Warn(string partitionKey, string rowKey, string? column, string message) =>
        _problems.Add(new ConfigProblem(new RowId(_table, partitionKey, rowKey), column, ProblemSeverity.Warning, message));
}
