using Azure.Data.Tables;
using FunctionsGateway.Routing;

namespace FunctionsGateway.Configuration;

/// <summary>Turns one <c>Backends</c> row into a <see cref="BackendDefinition"/>, or reports every problem it has.</summary>
internal static class BackendRowValidator
{
    /// <summary>Validates the row. Returns null for an invalid row; the reader holds the problems.</summary>
    public static BackendDefinition? Validate(RowReader row, TableEntity entity, bool allowLinkLocal = false)
    {
        row.CheckColumnNames(BackendColumns.Known);
        Uri? url = null;
        if (row.String(BackendColumns.Url) is not { } text)
        {
            // Present but not a String has been reported by String() already.
            if (!row.Has(BackendColumns.Url))
            {
                row.Error(BackendColumns.Url, "is required; write the backend's base address, such as https://orders-eu.internal.contoso.com");
            }
        }
        else if (!BackendUrl.TryParse(text, out url, out var error, allowLinkLocal))
        {
            row.Error(BackendColumns.Url, error);
        }

        var weight = row.Int(BackendColumns.Weight, 1, 0, 1000);
        var priority = row.Int(BackendColumns.Priority, 0, 0, 100);
        var enabled = row.Bool(BackendColumns.Enabled, defaultValue: true);
        var healthPath = ParseHealthPath(row, entity);

        if (row.HasErrors || url is null)
        {
            return null;
        }

        return new BackendDefinition
        {
            Id = row.Row,
            Url = url,
            Weight = weight,
            Priority = priority,
            HealthPath = healthPath,
            Enabled = enabled,
        };
    }

    // Absent: the default /health. Present but empty: the operator turned active probes off.
    private static string? ParseHealthPath(RowReader row, TableEntity entity)
    {
        if (!entity.ContainsKey(BackendColumns.HealthPath))
        {
            return "/health";
        }

        var path = row.String(BackendColumns.HealthPath);
        if (path is not null && (path[0] != '/' || path.Contains("//", StringComparison.Ordinal) || !Uri.IsWellFormedUriString(path, UriKind.Relative)))
        {
            row.Error(BackendColumns.HealthPath, $"'{path}' is not a path; write one starting with '/', such as /health, or leave it empty to turn active probes off");
            return null;
        }

        return path;
    }
}
