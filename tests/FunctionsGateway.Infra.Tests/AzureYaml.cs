namespace FunctionsGateway.Infra.Tests;

/// <summary>
/// Reads the block mappings of azure.yaml into dotted paths (<c>services.api.host</c> → <c>function</c>).
/// A deliberately small reader: nested mappings of scalars, comments and quotes. Sequence items
/// and block scalars are skipped; flow collections and anchors are not understood.
/// </summary>
internal static class AzureYaml
{
    public static IReadOnlyDictionary<string, string> ReadScalars(string text)
    {
        var scalars = new Dictionary<string, string>(StringComparer.Ordinal);
        // Open mappings as (indent, key); a line closes every mapping indented at or beyond it.
        var open = new List<(int Indent, string Key)>();
        int? blockScalarIndent = null;
        var lineNumber = 0;

        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            var line = StripComment(rawLine.TrimEnd('\r'));
            if (line.Trim().Length == 0)
            {
                continue;
            }

            var indent = line.Length - line.TrimStart(' ').Length;
            if (line[indent] == '\t')
            {
                throw new FormatException($"azure.yaml line {lineNumber}: tabs are not allowed for indentation.");
            }

            if (blockScalarIndent is { } scalarIndent)
            {
                if (indent > scalarIndent)
                {
                    continue;
                }

                blockScalarIndent = null;
            }

            open.RemoveAll(mapping => mapping.Indent >= indent);
            var content = line.Trim();
            if (content.StartsWith('-'))
            {
                // A sequence item (e.g. hook commands): not needed for the checks.
                continue;
            }

            var colon = content.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new FormatException($"azure.yaml line {lineNumber}: expected 'key: value', found '{content}'.");
            }

            var key = Unquote(content[..colon].Trim());
            var value = content[(colon + 1)..].Trim();
            var path = string.Join('.', open.Select(mapping => mapping.Key).Append(key));
            if (value.Length == 0)
            {
                open.Add((indent, key));
            }
            else if (value is "|" or ">" || value.StartsWith("|-", StringComparison.Ordinal) || value.StartsWith(">-", StringComparison.Ordinal))
            {
                blockScalarIndent = indent;
            }
            else
            {
                scalars[path] = Unquote(value);
            }
        }

        return scalars;
    }

    private static string StripComment(string line)
    {
        var quote = '\0';
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == '#' && (i == 0 || char.IsWhiteSpace(line[i - 1])))
            {
                return line[..i];
            }
        }

        return line;
    }

    private static string Unquote(string value) =>
        value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0] ? value[1..^1] : value;
}
