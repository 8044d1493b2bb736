using Azure.Data.Tables;

namespace FunctionsGateway.Health;

/// <summary>Converts between a <see cref="BackendHealthReport"/> and its <c>BackendHealth</c> row (PartitionKey pool, RowKey backend).</summary>
internal static class BackendHealthRow
{
    public static TableEntity ToEntity(string pool, string backend, BackendHealthReport report) => new(pool, backend)
    {
        [BackendHealthColumns.Status] = report.Status.ToString(),
        [BackendHealthColumns.CheckedAt] = report.CheckedAt,
        [BackendHealthColumns.LatencyMs] = Math.Round(report.LatencyMs, 2),
        [BackendHealthColumns.ConsecutiveFailures] = report.ConsecutiveFailures,
        [BackendHealthColumns.ConsecutiveSuccesses] = report.ConsecutiveSuccesses,
        [BackendHealthColumns.LastError] = report.LastError ?? string.Empty,
    };

    /// <summary>
    /// The report a row holds, or null for a row without a readable <c>CheckedAt</c>. The prober writes these rows;
    /// a value someone edited into something unreadable counts as unknown status or zero, never as healthy.
    /// </summary>
    public static BackendHealthReport? Read(TableEntity entity)
    {
        if (entity.GetDateTimeOffset(BackendHealthColumns.CheckedAt) is not { } checkedAt)
        {
            return null;
        }

        var status = Enum.TryParse<BackendHealthStatus>(entity.GetString(BackendHealthColumns.Status), ignoreCase: true, out var parsed)
                     && Enum.IsDefined(parsed) ? parsed : BackendHealthStatus.Unknown;
        var error = entity.GetString(BackendHealthColumns.LastError);
        return new BackendHealthReport(
            status,
            checkedAt,
            entity.GetDouble(BackendHealthColumns.LatencyMs) ?? 0,
            Math.Max(entity.GetInt32(BackendHealthColumns.ConsecutiveFailures) ?? 0, 0),
            Math.Max(entity.GetInt32(BackendHealthColumns.ConsecutiveSuccesses) ?? 0, 0),
            string.IsNullOrEmpty(error) ? null : error);
    }
}
