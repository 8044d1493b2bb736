using System.Text.Json;

namespace FunctionsGateway.Configuration;

/// <summary>The <c>LastValidRows</c> table's part of the status listing: whether it can be used, and this instance's writes since start.</summary>
internal static class LastValidRowsStatus
{
    public static void Write(Utf8JsonWriter writer, LastValidRowStore store)
    {
        writer.WriteStartObject("lastValidRows");
        writer.WriteString("status", store.LastError is null ? "ok" : "unavailable");
        if (store.LastError is { } error)
        {
            writer.WriteString("error", error);
        }
        else
        {
            writer.WriteNull("error");
        }

        writer.WriteNumber("write", store.Writes);
        writer.WriteNumber("delete", store.Deletes);
        writer.WriteNumber("conflict", store.Conflicts);
        writer.WriteNumber("failure", store.Failures);
        writer.WriteEndObject();
    }
}
