using System.Text.Json;

namespace FunctionsGateway.RateLimiting;

/// <summary>The rate limiter's part of the status listing: its storage operations since start, by kind.</summary>
internal static class RateLimitStatus
{
    public static void Write(Utf8JsonWriter writer, RateLimitStoreOperations operations)
    {
        writer.WriteStartObject("rateLimitStoreOperations");
        writer.WriteNumber("read", operations.Reads);
        writer.WriteNumber("write", operations.Writes);
        writer.WriteNumber("conflict", operations.Conflicts);
        writer.WriteNumber("delete", operations.Deletes);
        writer.WriteEndObject();
    }
}
