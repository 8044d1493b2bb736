using System.Text.Json;
using FunctionsGateway.Pipeline;

namespace FunctionsGateway.Health;

/// <summary>The <c>backends</c> array of the status listing and the operator console: each backend's address, health as this instance sees it, latency, in-flight calls and circuit.</summary>
internal static class BackendStatusListing
{
    public static void Write(Utf8JsonWriter writer, BackendStateRegistry states, DateTimeOffset now)
    {
        writer.WriteStartArray("backends");
        foreach (var state in states.States.OrderBy(s => s.Pool, StringComparer.Ordinal).ThenBy(s => s.Id.RowKey, StringComparer.Ordinal))
        {
            var report = state.Report;
            writer.WriteStartObject();
            writer.WriteString("pool", state.Pool);
            writer.WriteString("backend", state.Id.Key);
            writer.WriteString("url", Configuration.SecretRedactor.Redact(state.Url.ToString()));
            writer.WriteString("health", state.StatusAt(now).ToString().ToLowerInvariant());
            writer.WriteString("healthRow", report?.Status.ToString().ToLowerInvariant());
            writer.WriteMillisecondsOrNull("latencyMs", state.LatencyMs);
            writer.WriteNumber("inFlight", state.InFlight);
            writer.WriteBoolean("circuitOpen", state.CircuitOpen);
            if (report is null)
            {
                writer.WriteNull("checkedAt");
                writer.WriteNull("lastError");
            }
            else
            {
                writer.WriteString("checkedAt", report.CheckedAt);
                writer.WriteString("lastError", report.LastError);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }
}
