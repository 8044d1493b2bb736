using Azure;
using Azure.Data.Tables;
using FunctionsGateway.Configuration;
using FunctionsGateway.Storage;

namespace FunctionsGateway.DevHost.Commands;

/// <summary>
/// The route set as it is in storage: reads every row of the Routes and Backends tables with its ETag, and applies
/// one change so that it never overwrites an edit made after the read: a new row is added (never replacing one that
/// appeared meanwhile), and an update or delete is sent with the ETag read.
/// </summary>
internal sealed class RouteSetStore(GatewayTables tables)
{
    public async Task<IReadOnlyList<RouteSetRow>> ReadAsync(CancellationToken ct)
    {
        var rows = new List<RouteSetRow>();
        foreach (var table in Enum.GetValues<RouteSetTable>())
        {
            await foreach (var entity in Client(table).QueryAsync<TableEntity>(cancellationToken: ct).ConfigureAwait(false))
            {
                rows.Add(RouteSetRow.FromEntity(table, entity));
            }
        }

        return rows;
    }

    /// <summary>The configured name of a route-set table.</summary>
    public string Name(RouteSetTable table) => table == RouteSetTable.Routes ? tables.Names.Routes : tables.Names.Backends;

    /// <summary>The storage account, for messages.</summary>
    public string AccountName => tables.AccountName;

    /// <summary>
    /// Applies one change. Returns null when it was applied, else why the row was left alone because it changed in
    /// storage after it was read. Any other storage failure is thrown.
    /// </summary>
    public async Task<string?> ApplyAsync(RouteSetChange change, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(change);
        var client = Client(change.Row.Table);
        try
        {
            switch (change.Kind)
            {
                case RouteSetChangeKind.Create:
                    await client.AddEntityAsync(change.Row.ToEntity(), ct).ConfigureAwait(false);
                    return null;
                case RouteSetChangeKind.Update:
                    await client.UpdateEntityAsync(change.Row.ToEntity(), change.ReadETag, TableUpdateMode.Replace, ct).ConfigureAwait(false);
                    return null;
                default:
                    using (var response = await client.DeleteEntityAsync(change.Row.PartitionKey, change.Row.RowKey, change.ReadETag, ct).ConfigureAwait(false))
                    {
                        return response.Status == 404 ? "it was deleted by someone else after the diff was read" : null;
                    }
            }
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412 || (ex.Status == 404 && ex.ErrorCode != "TableNotFound"))
        {
            return ex.Status switch
            {
                409 => "someone else created it after the diff was read; it was not overwritten",
                412 => "someone else changed it after the diff was read (its ETag no longer matches); it was not overwritten",
                _ => "it was deleted by someone else after the diff was read; it was not created again",
            };
        }
    }

    private TableClient Client(RouteSetTable table) => table == RouteSetTable.Routes ? tables.Routes : tables.Backends;
}
