namespace FunctionsGateway.Configuration;

/// <summary>Where a row lives: the table, PartitionKey and RowKey an operator edits.</summary>
public readonly record struct RowId(string Table, string PartitionKey, string RowKey)
{
    /// <summary>
    /// <c>PartitionKey/RowKey</c>: how logs, metrics and traces name the row's route or backend (a route's
    /// <c>Backend</c> shorthand is named after its route). Made once with the row, not per request.
    /// </summary>
    public string Key { get; } = $"{PartitionKey}/{RowKey}";

    /// <inheritdoc />
    public override string ToString() => $"{Table} '{PartitionKey}/{RowKey}'";
}
