using Azure;
using Azure.Data.Tables;
using FunctionsGateway.Storage;
using Microsoft.Extensions.Logging;

namespace FunctionsGateway.Configuration;

/// <summary>
/// Reads and writes the <c>LastValidRows</c> table for the refresher: one query per refresh for the copies of both
/// tables, and only the writes a refresh decided on, each conditional on the copy's ETag so two instances never undo
/// each other. A failure never stops a refresh: the refresher then falls back to the versions it holds in memory. It is
/// logged once (again when its reason changes) and counted for the status listing.
/// </summary>
internal sealed partial class LastValidRowStore
{
    private readonly GatewayTables _tables;
    private readonly ILogger<LastValidRowStore> _logger;

    // Copies decided on but not written because storage failed; only the refresher's loop touches it.
    private List<TableEntity> _unwritten = [];
    private long _writes;
    private long _deletes;
    private long _conflicts;
    private long _failures;
    private string? _lastError;

    public LastValidRowStore(GatewayTables tables, ILogger<LastValidRowStore> logger)
    {
        _tables = tables;
        _logger = logger;
    }

    /// <summary>Copies written since start.</summary>
    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>Copies of deleted rows removed since start.</summary>
    public long Deletes => Interlocked.Read(ref _deletes);

    /// <summary>Writes another instance got to first since start (its copy stands; the next refresh reads it).</summary>
    public long Conflicts => Interlocked.Read(ref _conflicts);

    /// <summary>Reads and writes that failed since start.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Why the last read or write failed, or null when it succeeded.</summary>
    public string? LastError => Volatile.Read(ref _lastError);

    /// <summary>Reads the copies of the Routes and Backends rows; null when they cannot be read.</summary>
    public async Task<LastValidCopies?> ReadAsync(CancellationToken cancellationToken)
    {
        var names = _tables.Names;
        try
        {
            var rows = new List<TableEntity>();
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {names.Routes} or PartitionKey eq {names.Backends}");
            await foreach (var row in _tables.LastValidRows.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                rows.Add(row);
            }

            Succeeded();
            return LastValidCopies.Read(names.LastValidRows, [names.Routes, names.Backends], rows, _unwritten);
        }
        catch (Exception ex) when (StorageFailure.Is(ex, cancellationToken))
        {
            Failed(ex);
            return null;
        }
    }

    /// <summary>
    /// Writes the changes the refresh decided on; true when all of them were written as decided. Copies that could not
    /// be written because storage failed are kept, to stand in for the stored ones and be written at a later refresh.
    /// </summary>
    public async Task<bool> ApplyAsync(LastValidCopies copies, CancellationToken cancellationToken)
    {
        var table = _tables.LastValidRows;
        var allWritten = true;
        var storageFailed = false;
        _unwritten = [];
        foreach (var change in copies.Changes)
        {
            if (storageFailed)
            {
                // Storage failed on an earlier change: the rest waits for the next refresh rather than fail one by one.
                KeepUnwritten(change);
                continue;
            }

            try
            {
                var response = change switch
                {
                    { Delete: true } => await table.DeleteEntityAsync(change.Row.PartitionKey, change.Row.RowKey, change.IfMatch!.Value, cancellationToken).ConfigureAwait(false),
                    { IfMatch: { } etag } => await table.UpdateEntityAsync(change.Row, etag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false),
                    _ => await table.AddEntityAsync(change.Row, cancellationToken).ConfigureAwait(false),
                };
                Interlocked.Increment(ref change.Delete ? ref _deletes : ref _writes);
                copies.Applied(change, change.Delete ? null : response.Headers.ETag);
                Succeeded();
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 409 or 412 && ex.ErrorCode != "TableNotFound")
            {
                // Another instance added, replaced or removed the copy since this refresh read it: its write stands.
                Interlocked.Increment(ref _conflicts);
                Log.CopyConflict(_logger, change.Row.PartitionKey, change.Row.RowKey, ex.Status);
                allWritten = false;
            }
            catch (Exception ex) when (StorageFailure.Is(ex, cancellationToken))
            {
                Failed(ex);
                KeepUnwritten(change);
                allWritten = false;
                storageFailed = true;
            }
        }

        return allWritten;
    }

    private void KeepUnwritten(LastValidCopyChange change)
    {
        if (!change.Delete)
        {
            _unwritten.Add(change.Row);
        }
    }

    private void Succeeded()
    {
        if (Interlocked.Exchange(ref _lastError, null) is not null)
        {
            Log.Recovered(_logger, _tables.Names.LastValidRows);
        }
    }

    private void Failed(Exception ex)
    {
        Interlocked.Increment(ref _failures);
        var reason = StorageErrorText.Describe(ex);
        if (Interlocked.Exchange(ref _lastError, reason) != reason)
        {
            Log.Unavailable(_logger, _tables.Names.LastValidRows, reason);
        }

        Log.FailureDetail(_logger, ex);
    }

    private static partial class Log
    {
        [LoggerMessage(600, LogLevel.Warning, "Could not read or write the last valid versions in table '{Table}': {Reason}. Invalid rows fall back to the versions this instance holds in memory, which other instances may not hold.")]
        public static partial void Unavailable(ILogger logger, string table, string reason);

        [LoggerMessage(601, LogLevel.Information, "The last valid versions in table '{Table}' can be read and written again.")]
        public static partial void Recovered(ILogger logger, string table);

        [LoggerMessage(602, LogLevel.Debug, "Reading or writing the last valid versions failed.")]
        public static partial void FailureDetail(ILogger logger, Exception exception);

        [LoggerMessage(603, LogLevel.Debug, "Another instance changed the copy {PartitionKey}/{RowKey} first ({Status}); its version stands.")]
        public static partial void CopyConflict(ILogger logger, string partitionKey, string rowKey, int status);
    }
}
