using System.Text.Json.Nodes;

namespace FunctionsGateway.Infra.Tests;

/// <summary>One resource of a compiled ARM template (nested module templates included).</summary>
internal sealed record ArmResource(string Type, string Name, JsonObject Node)
{
    /// <summary>The last name segment when it is a literal, e.g. 'Routes' in format('{0}/{1}/{2}', ..., 'Routes').</summary>
    public string NameTail => ArmTemplate.NameTail(Name);

    public JsonNode? this[string path] => ArmTemplate.Get(Node, path);
}
