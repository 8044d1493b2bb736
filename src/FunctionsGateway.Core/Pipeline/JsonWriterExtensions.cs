using System.Text.Json;

namespace FunctionsGateway.Pipeline;

/// <summary>What the status listing and the operator console write the same way.</summary>
internal static class JsonWriterExtensions
{
    /// <summary>Milliseconds rounded to 2 decimals, or null when there is no measurement yet.</summary>
    public static void WriteMillisecondsOrNull(this Utf8JsonWriter writer, string name, double? milliseconds)
    {
        if (milliseconds is { } value)
        {
            writer.WriteNumber(name, Math.Round(value, 2));
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
