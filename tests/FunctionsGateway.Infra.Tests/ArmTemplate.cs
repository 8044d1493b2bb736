using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace FunctionsGateway.Infra.Tests;

/// <summary>Reads the ARM JSON that <c>bicep build</c> prints.</summary>
internal static partial class ArmTemplate
{
    /// <summary>Every resource of the template and of the templates of its nested deployments.</summary>
    public static IReadOnlyList<ArmResource> Resources(JsonNode template)
    {
        var resources = new List<ArmResource>();
        Collect(template, resources);
        return resources;

        static void Collect(JsonNode? template, List<ArmResource> into)
        {
            foreach (var node in Members(template?["resources"]))
            {
                if (node is not JsonObject resource || IsTrue(resource["existing"]))
                {
                    continue;
                }

                into.Add(new ArmResource(Text(resource["type"]), Text(resource["name"]), resource));
                Collect(Get(resource, "properties.template"), into);
            }
        }
    }

    /// <summary>Every output of the template and of its nested templates, with the name it has there.</summary>
    public static IReadOnlyList<KeyValuePair<string, JsonObject>> Outputs(JsonNode template)
    {
        var outputs = new List<KeyValuePair<string, JsonObject>>();
        Collect(template, outputs);
        return outputs;

        static void Collect(JsonNode? template, List<KeyValuePair<string, JsonObject>> into)
        {
            if (template?["outputs"] is JsonObject declared)
            {
                into.AddRange(declared
                    .Where(output => output.Value is JsonObject)
                    .Select(output => new KeyValuePair<string, JsonObject>(output.Key, (JsonObject)output.Value!)));
            }

            foreach (var node in Members(template?["resources"]))
            {
                Collect(node is null ? null : Get(node, "properties.template"), into);
            }
        }
    }

    /// <summary>Follows a dotted property path; null when any step is missing.</summary>
    public static JsonNode? Get(JsonNode node, string path)
    {
        JsonNode? current = node;
        foreach (var step in path.Split('.'))
        {
            current = current is JsonObject obj ? obj[step] : null;
        }

        return current;
    }

    public static bool IsTrue(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.True;

    public static bool IsFalse(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.False;

    /// <summary>A literal string value, or null for anything else (expressions included).</summary>
    public static string? Literal(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) && !text.StartsWith('[') ? text : null;

    /// <summary>The node as text: a string's value, or the JSON of anything else; "" for null.</summary>
    public static string Text(JsonNode? node) => node switch
    {
        null => string.Empty,
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        _ => node.ToJsonString(),
    };

    public static string NameTail(string name)
    {
        if (name.StartsWith('['))
        {
            var match = LastLiteralArgument().Match(name);
            return match.Success ? match.Groups["literal"].Value : name;
        }

        var slash = name.LastIndexOf('/');
        return slash < 0 ? name : name[(slash + 1)..];
    }

    private static IEnumerable<JsonNode?> Members(JsonNode? resources) => resources switch
    {
        JsonArray array => array,
        // languageVersion 2.0 templates key resources by symbolic name.
        JsonObject symbolic => symbolic.Select(member => member.Value),
        _ => [],
    };

    [GeneratedRegex(@"'(?<literal>[^']*)'\)\]$")]
    private static partial Regex LastLiteralArgument();
}
