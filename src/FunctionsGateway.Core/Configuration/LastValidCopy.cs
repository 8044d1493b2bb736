using Azure;
using Azure.Data.Tables;

namespace FunctionsGateway.Configuration;

/// <summary>One row of the <c>LastValidRows</c> table, read: the copy of a source row's last valid version.</summary>
/// <param name="Source">The source row (its table, PartitionKey and RowKey).</param>
/// <param name="Columns">The source row's columns as validated, keyed like the source row, ready for its validator.</param>
/// <param name="ETag">The stored copy row's own ETag, which writes over it are conditional on; null when none is stored.</param>
/// <param name="SourceETag">The source row's ETag when it was copied, or null when the copy row lacks it.</param>
/// <param name="SourceTimestamp">The source row's Timestamp when it was copied, or null when the copy row lacks it.</param>
/// <param name="Unwritten">True for a copy this instance decided on but could not write yet: it still has to be written.</param>
internal sealed record LastValidCopy(RowId Source, TableEntity Columns, ETag? ETag, string? SourceETag, DateTimeOffset? SourceTimestamp, bool Unwritten = false);
