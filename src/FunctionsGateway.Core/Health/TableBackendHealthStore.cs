using Azure.Data.Tables;
using FunctionsGateway.Storage;

namespace FunctionsGateway.Health;

/// <summary>The <c>BackendHealth</c> table (<c>Gateway__Tables__BackendHealth</c>).</summary>
internal sealed class TableBackendHealthStore(GatewayTables tables) : IBackendHealthStore
{
    public async Task<IReadOnlyDictionary<(string Pool, string Backend), BackendHealthReport?>> ReadAllAsync(CancellationToken cancellationToken)
    {
        var rows = new Dictionary<(string Pool, string Backend), BackendHealthReport?>();
        await foreach (var entity in tables.BackendHealth.QueryAsync<TableEntity>(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            rows[(entity.PartitionKey, entity.RowKey)] = BackendHealthRow.Read(entity);
        }

        return rows;
    }

    public Task WriteAsync(string pool, string backend, BackendHealthReport report, CancellationToken cancellationToken) =>
        tables.BackendHealth.UpsertEntityAsync(BackendHealthRow.ToEntity(pool, backend, report), TableUpdateMode.Replace, cancellationToken);

    public Task DeleteAsync(string pool, string backend, CancellationToken cancellationToken) =>
        tables.BackendHealth.DeleteEntityAsync(pool, backend, cancellationToken: cancellationToken);
}
