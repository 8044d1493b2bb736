using Azure;
using Azure.Data.Tables;
using FunctionsGateway.Configuration;

namespace FunctionsGateway.Core.Tests.Configuration;

/// <summary>
/// The <c>LastValidRows</c> table in memory, with the Table service's ETag rules: a conditional replace or delete of a
/// row someone changed since it was read fails, an add of a row that exists fails. Shared by the instances of a test.
/// </summary>
internal sealed class FakeLastValidRowsTable
{
    private readonly Dictionary<(string PartitionKey, string RowKey), TableEntity> _rows = [];
    private int _version;

    public IReadOnlyCollection<TableEntity> Rows => _rows.Values;

    /// <summary>What one refresh reads, with the copies the instance could not write before.</summary>
    public LastValidCopies Read(IEnumerable<TableEntity>? unwritten = null) =>
        LastValidCopies.Read("LastValidRows", ["Routes", "Backends"], _rows.Values.Select(Clone).ToList(), unwritten);

    /// <summary>Writes the refresh's changes as the store does, skipping those that lose a race; true when all were written.</summary>
    public bool Apply(LastValidCopies copies)
    {
        var allWritten = true;
        foreach (var change in copies.Changes)
        {
            var key = (change.Row.PartitionKey, change.Row.RowKey);
            var stored = _rows.GetValueOrDefault(key);
            if (change.IfMatch is { } etag ? stored?.ETag != etag : stored is not null)
            {
                allWritten = false;
                continue;
            }

            if (change.Delete)
            {
                _rows.Remove(key);
                copies.Applied(change, null);
                continue;
            }

            var written = Clone(change.Row);
            written.ETag = new ETag($"W/\"copy-{++_version}\"");
            _rows[key] = written;
            copies.Applied(change, written.ETag);
        }

        return allWritten;
    }

    /// <summary>Someone edits a copy row in Storage Explorer.</summary>
    public void EditByHand(string partitionKey, string rowKey, Action<TableEntity> edit)
    {
        var row = _rows[(partitionKey, rowKey)];
        edit(row);
        row.ETag = new ETag($"W/\"copy-{++_version}\"");
    }

    public void Add(TableEntity row)
    {
        row.ETag = new ETag($"W/\"copy-{++_version}\"");
        _rows[(row.PartitionKey, row.RowKey)] = row;
    }

    private static TableEntity Clone(TableEntity row)
    {
        var copy = new TableEntity(row) { ETag = row.ETag };
        return copy;
    }
}
