using System.Text.Json;
using FunctionsGateway.HostEmulator.Tests.Protocol;

namespace FunctionsGateway.HostEmulator.Tests.Emulator;

/// <summary>A function the worker indexed and loaded, with what the host needs from its trigger binding.</summary>
internal sealed record LoadedFunction(string Id, string Name, string TriggerType, string TriggerName, JsonElement Trigger)
{
    public bool IsHttp => TriggerType.Equals("httpTrigger", StringComparison.OrdinalIgnoreCase);

    /// <summary>The HTTP trigger's route template, such as <c>{*path}</c> or <c>_gateway/status</c>.</summary>
    public string Route => Trigger.TryGetProperty("route", out var route) ? route.GetString() ?? Name : Name;

    /// <summary>The trigger's <c>authLevel</c>; <c>Function</c> needs a function key.</summary>
    public bool NeedsFunctionKey => Trigger.TryGetProperty("authLevel", out var level) && !level.GetString()!.Equals("Anonymous", StringComparison.OrdinalIgnoreCase);

    /// <summary>A route with no parameters (the host prefers it over templates such as the catch-all).</summary>
    public bool IsLiteralRoute => !Route.Contains('{', StringComparison.Ordinal);

    public bool Accepts(string method) =>
        !Trigger.TryGetProperty("methods", out var methods)
        || methods.EnumerateArray().Any(m => m.GetString()!.Equals(method, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Turns the worker's own metadata (worker indexing: bindings as raw JSON) into what the host loads: the bindings
    /// map of <see cref="BindingInfo"/> by name, the trigger found among them.
    /// </summary>
    public static (RpcFunctionMetadata Metadata, LoadedFunction Function) FromIndexed(RpcFunctionMetadata indexed)
    {
        var metadata = indexed.Clone();
        JsonElement? trigger = null;
        foreach (var raw in indexed.RawBindings)
        {
            var binding = JsonDocument.Parse(raw).RootElement.Clone();
            var type = binding.GetProperty("type").GetString()!;
            var direction = binding.GetProperty("direction").GetString()!.ToUpperInvariant() switch
            {
                "IN" => BindingInfo.Types.Direction.In,
                "OUT" => BindingInfo.Types.Direction.Out,
                _ => BindingInfo.Types.Direction.Inout,
            };
            metadata.Bindings[binding.GetProperty("name").GetString()!] = new BindingInfo { Type = type, Direction = direction };
            if (direction == BindingInfo.Types.Direction.In && type.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase))
            {
                trigger = binding;
            }
        }

        var found = trigger ?? throw new InvalidOperationException($"Function '{indexed.Name}' has no trigger binding among: {string.Join(", ", indexed.RawBindings)}");
        return (metadata, new LoadedFunction(metadata.FunctionId, metadata.Name, found.GetProperty("type").GetString()!, found.GetProperty("name").GetString()!, found));
    }
}
