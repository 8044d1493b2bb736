using System.Collections.Immutable;
using System.Globalization;
using Azure.Data.Tables;

namespace FunctionsGateway.Configuration;

/// <summary>
/// Reads the columns of one row as an operator may have typed them in Storage Explorer: a number, boolean or
/// date may be stored with its own type or as a string ("5", "true", "2027-01-31"), and a blank string reads as
/// an absent column. Every table's rows (Routes, Backends, ApiKeys) are read through it, so the same cell means
/// the same everywhere. Every problem is collected, none thrown.
/// </summary>
internal sealed class RowReader
{
    // Written by the Table service itself, never by an operator.
    public static readonly HashSet<string> SystemColumns = new(StringComparer.Ordinal)
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

    /// <summary>Whether <paramref name="column"/> is written by the Table service itself (keys, Timestamp, OData metadata).</summary>
    public static bool IsSystemColumn(string column) => SystemColumns.Contains(column);

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

    /// <summary>
    /// A comma-separated list read by <see cref="CommaList"/>: trimmed items, empty when absent or blank; an empty
    /// item is an error naming <paramref name="kind"/> and <paramref name="example"/>.
    /// </summary>
    public ImmutableArray<string> List(string column, string kind, string example)
    {
        if (!CommaList.TryParse(String(column), kind, example, out var items, out var error))
        {
            Error(column, error);
        }

        return items;
    }

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

    /// <summary>
    /// A date and time, stored as DateTime or as text such as <c>2027-01-31</c> or <c>2027-01-31T00:00:00Z</c>
    /// (without an offset it is UTC); null when absent or blank; an error when it is anything else.
    /// </summary>
    public DateTimeOffset? Date(string column)
    {
        if (!Has(column) || !_entity.TryGetValue(column, out var value))
        {
            return null;
        }

        switch (value)
        {
            case DateTimeOffset date:
                return date;
            case DateTime date:
                return new DateTimeOffset(DateTime.SpecifyKind(date, date.Kind == DateTimeKind.Unspecified ? DateTimeKind.Utc : date.Kind));
            case string s when DateTimeOffset.TryParse(s.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed):
                return parsed;
            default:
                Error(column, $"{Describe(value)} is not a date; write one such as 2027-01-31T00:00:00Z");
                return null;
        }
    }

    /// <summary>
    /// Checks the row's column names against <paramref name="knownColumns"/> (exact, case-sensitive names). A column
    /// that differs from a known one only by case is an error, because reading it as absent could drop what it asks
    /// for (an <c>auth</c> column would leave the route anonymous); any other unknown column is a warning (likely a
    /// note or a typo the operator can see on the status listing). Columns written by the Table service are skipped.
    /// </summary>
    public void CheckColumnNames(IReadOnlyCollection<string> knownColumns)
    {
        foreach (var column in _entity.Keys)
        {
            if (SystemColumns.Contains(column) || knownColumns.Contains(column))
            {
                continue;
            }

            var known = knownColumns.FirstOrDefault(k => string.Equals(k, column, StringComparison.OrdinalIgnoreCase));
            if (known is null)
            {
                Warning(column, "is not a known column and is ignored; check its spelling against docs/routes.md");
            }
            else
            {
                Error(column, $"column names are case-sensitive: rename '{column}' to '{known}'");
            }
        }
    }

    /// <summary>
    /// The row's columns (as written) that hold a value and whose name is one of <paramref name="columns"/> in any
    /// case: how a column that must never be ignored, such as <c>RateLimit</c>, is found however it is spelt.
    /// </summary>
    public IReadOnlyList<string> ColumnsSetInAnyCase(IEnumerable<string> columns)
    {
        List<string>? found = null;
        foreach (var name in _entity.Keys)
        {
            if (!SystemColumns.Contains(name) && Has(name) && columns.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                (found ??= []).Add(name);
            }
        }

        return found ?? [];
    }

    /// <summary>Whether the row has a column named <paramref name="column"/> in another case only (<c>auth</c> for <c>Auth</c>), with or without a value.</summary>
    public bool HasMisspeltByCase(string column)
    {
        foreach (var name in _entity.Keys)
        {
            if (string.Equals(name, column, StringComparison.OrdinalIgnoreCase) && !string.Equals(name, column, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
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
