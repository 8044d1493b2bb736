using System.Text;
using System.Text.Json;
using FunctionsGateway.Pipeline;

namespace FunctionsGateway.Configuration;

/// <summary>
/// The route-set file (docs/routes.md, Managing routes as a file): <c>{ "version": 1, "rows": [ ... ] }</c>, one object a
/// row with <c>table</c> (<c>Routes</c> or <c>Backends</c>), <c>PartitionKey</c>, <c>RowKey</c> and its columns. A column
/// is a JSON string (String), a whole number (Int32), <c>true</c>/<c>false</c> (Boolean), or a typed value
/// <c>{ "type": "Int64", "value": "5" }</c> for a type the plain forms would not give back. Rows are written sorted by
/// table, PartitionKey and RowKey, columns by name, so the same rows always make the same text and a change is a
/// readable diff in git.
/// </summary>
internal static class RouteSetFile
{
    public const int Version = 1;

    private const string TableProperty = "table";
    private static readonly char[] KeyForbidden = ['/', '\\', '#', '?'];

    /// <summary>The rows as the file's text, ending with a new line.</summary>
    public static string Write(IEnumerable<RouteSetRow> rows)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, GatewayJsonWriterOptions.Indented))
        {
            writer.WriteStartObject();
            writer.WriteNumber("version", Version);
            writer.WriteStartArray("rows");
            foreach (var row in Sorted(rows))
            {
                writer.WriteStartObject();
                writer.WriteString(TableProperty, row.Table.ToString());
                writer.WriteString(nameof(RouteSetRow.PartitionKey), row.PartitionKey);
                writer.WriteString(nameof(RouteSetRow.RowKey), row.RowKey);
                foreach (var (name, value) in row.Columns)
                {
                    writer.WritePropertyName(name);
                    WriteValue(writer, value);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>Rows in the file's order: by table, PartitionKey and RowKey.</summary>
    public static IEnumerable<RouteSetRow> Sorted(IEnumerable<RouteSetRow> rows) =>
        rows.OrderBy(r => r.Table).ThenBy(r => r.PartitionKey, StringComparer.Ordinal).ThenBy(r => r.RowKey, StringComparer.Ordinal);

    /// <summary>
    /// Reads a file's text. Every problem is collected, each one line naming the file and the row; rows are returned
    /// only when there is none.
    /// </summary>
    public static bool TryRead(string text, string fileName, out IReadOnlyList<RouteSetRow> rows, out IReadOnlyList<string> problems)
    {
        var found = new List<string>();
        var read = new List<RouteSetRow>();
        rows = [];
        problems = found;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException ex)
        {
            var reason = ex.Message.Split(" LineNumber:", 2)[0].Trim();
            found.Add($"{fileName}: line {ex.LineNumber + 1}, position {ex.BytePositionInLine + 1}: not valid JSON: {reason}");
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (!TryReadRoot(root, fileName, found, out var rowElements))
            {
                return false;
            }

            var seen = new Dictionary<(RouteSetTable, string, string), int>();
            var number = 0;
            foreach (var element in rowElements.EnumerateArray())
            {
                number++;
                var row = ReadRow(element, $"{fileName}: row {number}", found);
                if (row is null)
                {
                    continue;
                }

                if (seen.TryGetValue(row.Key, out var first))
                {
                    found.Add($"{fileName}: row {number}: {row} is already row {first}; a row may appear once, so keep one of them");
                    continue;
                }

                seen[row.Key] = number;
                read.Add(row);
            }
        }

        if (found.Count > 0)
        {
            return false;
        }

        rows = read;
        return true;
    }

    private static bool TryReadRoot(JsonElement root, string fileName, List<string> problems, out JsonElement rows)
    {
        rows = default;
        if (root.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"{fileName}: the file holds a JSON {Kind(root)}; write an object: {{ \"version\": {Version}, \"rows\": [ ... ] }}");
            return false;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            if (!names.Add(property.Name))
            {
                problems.Add($"{fileName}: '{property.Name}' is given more than once; keep one");
            }
            else if (property.Name is not ("version" or "rows"))
            {
                problems.Add($"{fileName}: '{property.Name}' is not part of a route-set file; the file holds only \"version\" and \"rows\"");
            }
        }

        if (!root.TryGetProperty("version", out var version) || version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out var number) || number != Version)
        {
            problems.Add($"{fileName}: \"version\" must be {Version} (the format this gateway reads); write \"version\": {Version}");
        }

        if (!root.TryGetProperty("rows", out rows) || rows.ValueKind != JsonValueKind.Array)
        {
            problems.Add($"{fileName}: \"rows\" must be an array of rows; write \"rows\": [ {{ \"table\": \"Routes\", \"PartitionKey\": ..., \"RowKey\": ..., ... }} ]");
        }

        return problems.Count == 0;
    }

    private static RouteSetRow? ReadRow(JsonElement element, string where, List<string> problems)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"{where}: is a JSON {Kind(element)}; write an object with \"table\", \"PartitionKey\", \"RowKey\" and the row's columns");
            return null;
        }

        var before = problems.Count;
        var table = ReadTable(element, where, problems);
        var partitionKey = ReadKey(element, nameof(RouteSetRow.PartitionKey), where, problems);
        var rowKey = ReadKey(element, nameof(RouteSetRow.RowKey), where, problems);
        if (table is not null && partitionKey is not null && rowKey is not null)
        {
            where = $"{where} ({table} '{partitionKey}/{rowKey}')";
        }

        var columns = new List<KeyValuePair<string, object>>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            // A column given twice is a mistake whichever value was meant, not a silent "last one wins".
            if (!names.Add(property.Name))
            {
                problems.Add($"{where}: '{property.Name}' is given more than once; keep one");
                continue;
            }

            if (property.Name is TableProperty or nameof(RouteSetRow.PartitionKey) or nameof(RouteSetRow.RowKey))
            {
                continue;
            }

            if (RowReader.SystemColumns.Contains(property.Name))
            {
                problems.Add($"{where}: column '{property.Name}' is written by the Table service, not by a file; remove it");
            }
            else if (ReadValue(property.Value, $"{where}: column '{property.Name}'", problems) is { } value)
            {
                columns.Add(KeyValuePair.Create(property.Name, value));
            }
        }

        return problems.Count == before ? new RouteSetRow(table!.Value, partitionKey!, rowKey!, columns) : null;
    }

    private static RouteSetTable? ReadTable(JsonElement row, string where, List<string> problems)
    {
        var text = row.TryGetProperty(TableProperty, out var table) && table.ValueKind == JsonValueKind.String ? table.GetString() : null;
        if (text is nameof(RouteSetTable.Routes) or nameof(RouteSetTable.Backends))
        {
            return Enum.Parse<RouteSetTable>(text);
        }

        problems.Add(text is null
            ? $"{where}: has no \"table\"; write \"table\": \"Routes\" or \"table\": \"Backends\""
            : $"{where}: table '{text}' is not one a route set holds; write \"Routes\" or \"Backends\" (API keys are managed with the apikey command)");
        return null;
    }

    private static string? ReadKey(JsonElement row, string name, string where, List<string> problems)
    {
        if (!row.TryGetProperty(name, out var key) || key.ValueKind != JsonValueKind.String || key.GetString() is not { Length: > 0 } text)
        {
            problems.Add($"{where}: needs a {name} written as a non-empty string");
            return null;
        }

        if (text.IndexOfAny(KeyForbidden) >= 0 || text.Any(char.IsControl))
        {
            problems.Add($"{where}: {name} '{text}' holds a character the Table service does not allow in keys (/, \\, #, ? or a control character); choose another {name}");
            return null;
        }

        return text;
    }

    private static object? ReadValue(JsonElement value, string where, List<string> problems)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return value.GetString();
            case JsonValueKind.True or JsonValueKind.False:
                return value.GetBoolean();
            case JsonValueKind.Number when value.TryGetInt32(out var number):
                return number;
            case JsonValueKind.Number:
                problems.Add($"{where}: {value.GetRawText()} is not a whole number that fits Int32; write a typed value such as {{ \"type\": \"Int64\", \"value\": \"{value.GetRawText()}\" }} or {{ \"type\": \"Double\", \"value\": \"{value.GetRawText()}\" }}");
                return null;
            case JsonValueKind.Object:
                return ReadTypedValue(value, where, problems);
            default:
                problems.Add($"{where}: holds a JSON {Kind(value)}; write a string, a whole number, true or false, or a typed value such as {{ \"type\": \"Int64\", \"value\": \"5\" }} (to leave a column empty, leave it out)");
                return null;
        }
    }

    private static object? ReadTypedValue(JsonElement typed, string where, List<string> problems)
    {
        var types = string.Join(", ", RouteSetValue.TypeNames);
        if (typed.EnumerateObject().Count() != 2
            || !typed.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String
            || !typed.TryGetProperty("value", out var text) || text.ValueKind != JsonValueKind.String)
        {
            problems.Add($"{where}: a typed value is {{ \"type\": \"Int64\", \"value\": \"5\" }}: a type ({types}) and the value as a string");
            return null;
        }

        if (!RouteSetValue.TypeNames.Contains(type.GetString()))
        {
            problems.Add($"{where}: '{type.GetString()}' is not a column type; use one of {types}");
            return null;
        }

        if (!RouteSetValue.TryParse(type.GetString()!, text.GetString()!, out var value))
        {
            problems.Add($"{where}: '{text.GetString()}' is not a value of type {type.GetString()}");
            return null;
        }

        return value;
    }

    private static void WriteValue(Utf8JsonWriter writer, object value)
    {
        switch (value)
        {
            case string s:
                writer.WriteStringValue(s);
                break;
            case int i:
                writer.WriteNumberValue(i);
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            default:
                // The plain forms read back as String, Int32 or Boolean; any other type is named, so it reads back as itself.
                writer.WriteStartObject();
                writer.WriteString("type", RouteSetValue.TypeName(value));
                writer.WriteString("value", RouteSetValue.Text(value));
                writer.WriteEndObject();
                break;
        }
    }

    private static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.Null => "null",
        _ => "true/false",
    };
}
