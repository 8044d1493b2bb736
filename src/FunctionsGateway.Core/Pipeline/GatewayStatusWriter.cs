using System.Text.Json;
using FunctionsGateway.Configuration;
using FunctionsGateway.RateLimiting;
using Microsoft.AspNetCore.Http;

namespace FunctionsGateway.Pipeline;

/// <summary>
/// Writes the operator's status listing: when the tables were last read, whether storage can be reached,
/// every problem found in a row (table, PartitionKey, RowKey, column, what to do), and each backend's health,
/// latency and circuit. Hosts serve it behind their own protection: a function key on Azure, loopback only on the DevHost.
/// </summary>
public sealed class GatewayStatusWriter
{
    private readonly GatewaySnapshotProvider _snapshots;
    private readonly GatewayConfigRefresher _refresher;
    private readonly RateLimitStoreOperations _rateLimitStore;
    private readonly Health.BackendStateRegistry _backendStates;
    private readonly TimeProvider _time;

    internal GatewayStatusWriter(
        GatewaySnapshotProvider snapshots,
        GatewayConfigRefresher refresher,
        RateLimitStoreOperations rateLimitStore,
        Health.BackendStateRegistry backendStates,
        TimeProvider time)
    {
        _snapshots = snapshots;
        _refresher = refresher;
        _rateLimitStore = rateLimitStore;
        _backendStates = backendStates;
        _time = time;
    }

    /// <summary>Writes the listing as JSON; 200 when the routes are loaded and storage is reachable, else 503.</summary>
    public async Task WriteAsync(HttpContext context)
    {
        var snapshot = _snapshots.Current;
        var state = _refresher.State;
        var healthy = _snapshots.IsLoaded && state.LastError is null;
        context.Response.StatusCode = healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.XContentTypeOptions = "nosniff";

        var writer = new Utf8JsonWriter(context.Response.BodyWriter, GatewayJsonWriterOptions.Indented);
        await using (writer.ConfigureAwait(false))
        {
            writer.WriteStartObject();
            writer.WriteString("status", !_snapshots.IsLoaded ? "not_loaded" : state.LastError is null ? "ok" : "storage_unreachable");
            WriteTime(writer, "loadedAt", _snapshots.IsLoaded ? snapshot.LoadedAt : null);
            WriteTime(writer, "lastAttemptAt", state.LastAttemptAt);
            WriteTime(writer, "lastSuccessAt", state.LastSuccessAt);
            if (state.LastError is null)
            {
                writer.WriteNull("storageError");
            }
            else
            {
                writer.WriteString("storageError", state.LastError);
            }

            writer.WriteNumber("routes", snapshot.RoutesById.Count);
            writer.WriteNumber("pools", snapshot.Pools.Count);
            writer.WriteNumber("errors", snapshot.Problems.Count(p => p.Severity == ProblemSeverity.Error));
            writer.WriteNumber("warnings", snapshot.Problems.Count(p => p.Severity == ProblemSeverity.Warning));
            ConfigProblemListing.Write(writer, snapshot.Problems);
            LastValidRowsStatus.Write(writer, _refresher.LastValidRows);
            RateLimitStatus.Write(writer, _rateLimitStore);
            Health.BackendStatusListing.Write(writer, _backendStates, _time.GetUtcNow());
            writer.WriteEndObject();
            await writer.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        }

        // The JSON writer only commits to the pipe; flushing the pipe sends it (Kestrel would at the end, other servers may not).
        await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static void WriteTime(Utf8JsonWriter writer, string name, DateTimeOffset? value)
    {
        if (value is { } time)
        {
            writer.WriteString(name, time);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
