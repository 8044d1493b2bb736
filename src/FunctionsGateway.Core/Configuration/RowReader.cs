using System.Globalization;
using Azure.Data.Tables;

namespace FunctionsGateway.Configuration;

/// <summary>
/// Reads the columns of one row as an operator may have typed them in Storage Explorer: a number or a
/// boolean may be stored with its own type or as a string ("5", "true"). Every problem is collected, none thrown.
/// </summary>
internal sealed class RowReader
{
    // Written by the Table service itself, never by an operator.
    private static readonly HashSet<string> SystemColumns = new(StringComparer.Ordinal)
    {
        "PartitionKey", "RowKey", "Timestamp", "odata.etag", "odata.metadata", "odata.type", "odata.id", "odata.editLink",
    };

    private readonly TableEntity _entity;
    private readonly List<ConfigProblem> _problems = [];

    public RowReader(string table, TableEntity entity)
    {
        _entity = entity;
        Row = new RowId(table, entity.PartitionKey ?? string.Empty, entity.RowKey ?? string.Empty);
    }

    public RowId Row { get; }

    public IReadOnlyList<ConfigProblem> Problems => _problems;

    public bool HasErrors => _problems.Exists(p => p.Severity == ProblemSeverity.Error);

    /// <summary>True when the column is present with a non-empty value.</summary>
    public bool Has(string column) =>
        _entity.TryGetValue(column, out var value) && value is not null && (value is not string s || s.Trim().Length > 0);

    public void Error(string? column, string message) => _problems.Add(new ConfigProblem(Row, column, ProblemSeverity.Error, message));

    public void Warning(string? column, string message) => _problems.Add(new ConfigProblem(Row, column, ProblemSeverity.Warning, message));

    /// <summary>A trimmed string, or null when absent or empty. A value of another type is an error.</summary>
    public string? String(string column)
    {
        if (!_entity.TryGetValue(column, out var value) || value is null)
        {
            return null;
        }

        if (value is string s)
        {
            s = s.Trim();
            return s.Length == 0 ? null : s;
        }

        Error(column, $"is stored as {Describe(value)}; store it as a String");
        return null;
    }

    /// <summary>A comma-separated list, trimmed, without empty items; empty when absent.</summary>
    public IReadOnlyList<string> List(string column) =>
        String(column) is { } text
            ? text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [];

    /// <summary>A whole number within [min, max]; the default when absent or blank; an error when not a number or out of range.</summary>
    public int Int(string column, int defaultValue, int min, int max)
    {
        if (!Has(column) || !_entity.TryGetValue(column, out var value))
        {
            return defaultValue;
        }

        long? number = value switch
        {
            int i => i,
            long l => l,
            double d when Math.Abs(d % 1) < double.Epsilon => (long)d,
            string s when long.TryParse(s.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => null,
        };

        if (number is null)
        {
            Error(column, $"{Describe(value)} is not a whole number; write a number from {min} to {max}");
            return defaultValue;
        }

        if (number < min || number > max)
        {
            Error(column, $"{number} is out of range; write a number from {min} to {max}");
            return defaultValue;
        }

        return (int)number.Value;
    }

    /// <summary>A boolean; the default when absent or blank; an error when neither true nor false.</summary>
    public bool Bool(string column, bool defaultValue)
    {
        if (!Has(column) || !_entity.TryGetValue(column, out var value))
        {
            return defaultValue;
        }

        switch (value)
        {
            case bool b:
                return b;
            case string s when bool.TryParse(s.Trim(), out var parsed):
                return parsed;
            default:
                Error(column, $"{Describe(value)} is not a boolean; write true or false");
                return defaultValue;
        }
    }

    /// <summary>Warns about each column that is neither known nor written by the service: likely a typo.</summary>
    public void WarnAboutUnknownColumns(IReadOnlySet<string> knownColumns)
    {
        foreach (var column in _entity.Keys)
        {
            if (!SystemColumns.Contains(column) && !knownColumns.Contains(column))
            {
                var hint = knownColumns.FirstOrDefault(k => string.Equals(k, column, StringComparison.OrdinalIgnoreCase));
                Warning(column, hint is null
                    ? "is not a known column and is ignored; check its spelling against docs/routes.md"
                    : $"is not a known column and is ignored; column names are case-sensitive: did you mean '{hint}'?");
            }
        }
    }

    private static string Describe(object value) => value switch
    {
        string s => $"'{s}'",
        bool b => b ? "true (Boolean)" : "false (Boolean)",
        DateTimeOffset or DateTime => $"a DateTime ({value})",
        byte[] => "Binary data",
        Guid => $"a Guid ({value})",
        _ => $"{Convert.ToString(value, CultureInfo.InvariantCulture)} ({value.GetType().Name})",
    };
}
