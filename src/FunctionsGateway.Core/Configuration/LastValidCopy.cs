using Azure;
using Azure.Data.Tables;

namespace FunctionsGateway.Configuration;

/// <summary>One row of the <c>LastValidRows</c> table, read: the copy of a source row's last valid version.</summary>
/// <param name="Source">The source row (its table, PartitionKey and RowKey).</param>
/// <param name="Columns">The source row's columns as validated, keyed like the source row, ready for its validator.</param>
/// <param name="ETag">The copy row's own ETag: writes over it are conditional on it.</param>
/// <param name="SourceETag">The source row's ETag when it was copied, or null when the copy row lacks it.</param>
/// <param name="SourceTimestamp">The source row's Timestamp when it was copied, or null when the copy row lacks it.</param>
internal sealed record LastValidCopy(RowId Source, TableEntity Columns, ETag ETag, string? SourceETag, DateTimeOffset? SourceTimestamp);
