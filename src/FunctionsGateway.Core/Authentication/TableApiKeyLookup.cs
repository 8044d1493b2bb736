using Azure;
using Azure.Data.Tables;

namespace FunctionsGateway.Authentication;

/// <summary>Finds API keys in the <c>ApiKeys</c> table with one point query (PartitionKey + RowKey).</summary>
internal sealed class TableApiKeyLookup : IApiKeyLookup
{
    private readonly TableClient _table;

    public TableApiKeyLookup(TableClient table)
    {
        ArgumentNullException.ThrowIfNull(table);
        _table = table;
    }

    /// <inheritdoc />
    public async ValueTask<ApiKeyRecord?> FindAsync(string keyHash, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _table.GetEntityAsync<TableEntity>(
                ApiKeyHasher.PartitionKey(keyHash),
                keyHash,
                ApiKeyColumns.All,
                cancellationToken).ConfigureAwait(false);
            // With a $select list the service (Azurite, at least) may leave the keys out of the row; we asked by them.
            var entity = response.Value;
            entity.PartitionKey = ApiKeyHasher.PartitionKey(keyHash);
            entity.RowKey = keyHash;
            return ApiKeyRecord.FromEntity(entity);
        }
        catch (RequestFailedException ex) when (ex.Status == 404 && ex.ErrorCode != "TableNotFound")
        {
            // No such row. A missing table is a deployment fault, not an unknown key: it propagates
            // so the caller answers 503 instead of rejecting every key.
            return null;
        }
    }
}
