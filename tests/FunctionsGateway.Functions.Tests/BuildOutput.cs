using System.Text.Json;

namespace FunctionsGateway.Functions.Tests;

/// <summary>The files the Functions SDK generates, as copied into this test project's output by the project reference.</summary>
internal static class BuildOutput
{
    public static JsonElement ReadJson(string fileName)
    {
        var path = Path.Combine(AppContext.BaseDirectory, fileName);
        Assert.True(File.Exists(path), $"{fileName} is missing from the build output at {path}; the Functions SDK or the host.json link in the project is broken.");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.Clone();
    }

    public static JsonElement Function(string name) =>
        ReadJson("functions.metadata").EnumerateArray().Single(f => f.GetProperty("name").GetString() == name);

    public static JsonElement Trigger(string functionName) =>
        Function(functionName).GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "httpTrigger");
}
