using Azure;
using Azure.Data.Tables;

namespace FunctionsGateway.Configuration;

/// <summary>
/// One row of a route set: its table, keys and the columns an operator writes, sorted by name (the Table service's
/// own columns, such as <c>Timestamp</c>, are not part of it). A row read from storage carries the ETag it was read
/// with, so a change applied later can check that nobody edited the row meanwhile.
/// </summary>
internal sealed class RouteSetRow
{
    public RouteSetRow(RouteSetTable table, string partitionKey, string rowKey, IEnumerable<KeyValuePair<string, object>> columns, ETag etag = default)
    {
        Table = table;
        PartitionKey = partitionKey;
        RowKey = rowKey;
        ETag = etag;
        var sorted = new SortedDictionary<string, object>(StringComparer.Ordinal);
        foreach (var (name, value) in columns)
        {
            sorted[name] = RouteSetValue.Normalize(value);
        }

        Columns = sorted;
    }

    public RouteSetTable Table { get; }

    public string PartitionKey { get; }

    public string RowKey { get; }

    /// <summary>The columns by name, in ordinal order of names.</summary>
    public IReadOnlyDictionary<string, object> Columns { get; }

    /// <summary>The ETag the row was read from storage with; <c>default</c> for a row of a file.</summary>
    public ETag ETag { get; }

    /// <summary>What identifies the row: table, PartitionKey, RowKey.</summary>
    public (RouteSetTable Table, string PartitionKey, string RowKey) Key => (Table, PartitionKey, RowKey);

    /// <summary>A row as the Table service returned it, without its system columns and empty cells.</summary>
    public static RouteSetRow FromEntity(RouteSetTable table, TableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        var columns = entity
            .Where(column => !RowReader.SystemColumns.Contains(column.Key) && column.Value is not null)
            .Select(column => KeyValuePair.Create(column.Key, column.Value!));
        return new RouteSetRow(table, entity.PartitionKey, entity.RowKey, columns, entity.ETag);
    }

    /// <summary>The row as an entity to write, or to validate as the gateway reads it.</summary>
    public TableEntity ToEntity()
    {
        var entity = new TableEntity(PartitionKey, RowKey);
        foreach (var (name, value) in Columns)
        {
            entity[name] = value;
        }

        return entity;
    }

    /// <summary><c>Routes 'public/orders'</c>: how the gateway's own messages name a row.</summary>
    public override string ToString() => $"{Table} '{PartitionKey}/{RowKey}'";
}
