using System.Globalization;
using Azure;
using Azure.Data.Tables;

namespace FunctionsGateway.RateLimiting;

/// <summary>The <c>RateLimits</c> table: counter rows written with ETag optimistic concurrency.</summary>
internal sealed class RateLimitStore(TableClient table) : IRateLimitCounterStore
{
    public async ValueTask<RateLimitCounter?> ReadAsync(string counter, long window, CancellationToken cancellationToken)
    {
        var response = await table.GetEntityIfExistsAsync<RateLimitCounterEntity>(counter, RowKey(window), cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue && response.Value is { } entity ? new RateLimitCounter(entity.Granted, entity.ETag.ToString(), entity.Writer) : null;
    }

    public async ValueTask<string?> TryInsertAsync(string counter, long window, long granted, string writer, CancellationToken cancellationToken)
    {
        try
        {
            var response = await table.AddEntityAsync(Entity(counter, window, granted, writer), cancellationToken).ConfigureAwait(false);
            return response.Headers.ETag?.ToString() ?? string.Empty;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return null;
        }
    }

    public async ValueTask<string?> TryUpdateAsync(string counter, long window, long granted, string writer, string etag, CancellationToken cancellationToken)
    {
        try
        {
            var response = await table.UpdateEntityAsync(Entity(counter, window, granted, writer), new ETag(etag), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            return response.Headers.ETag?.ToString() ?? string.Empty;
        }
        catch (RequestFailedException e) when (e.Status is 412 or 404)
        {
            return null;
        }
    }

    public async ValueTask DeleteAsync(string counter, long window, CancellationToken cancellationToken)
    {
        try
        {
            await table.DeleteEntityAsync(counter, RowKey(window), ETag.All, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Already removed by another instance.
        }
    }

    private static string RowKey(long window) => window.ToString("D19", CultureInfo.InvariantCulture);

    private static RateLimitCounterEntity Entity(string counter, long window, long granted, string writer) =>
        new() { PartitionKey = counter, RowKey = RowKey(window), Granted = granted, Writer = writer };
}
