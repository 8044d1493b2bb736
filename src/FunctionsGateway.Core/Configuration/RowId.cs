namespace FunctionsGateway.Configuration;

/// <summary>Where a row lives: the table, PartitionKey and RowKey an operator edits.</summary>
public readonly record struct RowId(string Table, string PartitionKey, string RowKey)
{
    /// <inheritdoc />
    public override string ToString() => $"{Table} '{PartitionKey}/{RowKey}'";
}
