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
            // The whole row, not a $select of the known columns: a column written in another case (`enabled` = false)
            // must reach the reader, which rejects the key for it, rather than be left out and the key stay enabled.
            var response = await _table.GetEntityAsync<TableEntity>(
                ApiKeyHasher.PartitionKey(keyHash),
                keyHash,
                cancellationToken: cancellationToken).ConfigureAwait(false);
            return ApiKeyRecord.FromEntity(response.Value);
        }
        catch (RequestFailedException ex) when (ex.Status == 404 && ex.ErrorCode != "TableNotFound")
        {
            // No such row. A missing table is a deployment fault, not an unknown key: it propagates
            // so the caller answers 503 instead of rejecting every key.
            return null;
        }
    }
}
