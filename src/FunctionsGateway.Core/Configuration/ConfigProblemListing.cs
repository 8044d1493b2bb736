using System.Collections.Immutable;
using System.Text.Json;

namespace FunctionsGateway.Configuration;

/// <summary>The <c>problems</c> array of the status listing and the operator console: every problem of every row, with what to do.</summary>
internal static class ConfigProblemListing
{
    public static void Write(Utf8JsonWriter writer, ImmutableArray<ConfigProblem> problems)
    {
        writer.WriteStartArray("problems");
        foreach (var problem in problems)
        {
            writer.WriteStartObject();
            writer.WriteString("severity", problem.Severity == ProblemSeverity.Error ? "error" : "warning");
            writer.WriteString("table", problem.Row.Table);
            writer.WriteString("partitionKey", problem.Row.PartitionKey);
            writer.WriteString("rowKey", problem.Row.RowKey);
            writer.WriteString("column", problem.Column);
            writer.WriteString("message", problem.Message);
            writer.WriteBoolean("servingLastValidVersion", problem.ServingLastValidVersion);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }
}
