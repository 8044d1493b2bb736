using System.Text.Json;
using FunctionsGateway.Configuration;
using FunctionsGateway.Health;
using FunctionsGateway.Pipeline;
using FunctionsGateway.Routing;

namespace FunctionsGateway.OperatorConsole;

/// <summary>
/// The JSON the console page polls: the tables' state and row problems, every served route with its last minute,
/// every backend's health, latency and circuit, and the recent failures. Read without locks from what the request
/// path keeps anyway.
/// </summary>
internal sealed class ConsoleDataWriter
{
    /// <summary>How many of a route's busiest callers are listed.</summary>
    public const int TopConsumerCount = 5;

    private readonly GatewaySnapshotProvider _snapshots;
    private readonly GatewayConfigRefresher _refresher;
    private readonly BackendStateRegistry _backends;
    private readonly LiveTraffic _traffic;
    private readonly TimeProvider _time;

    public ConsoleDataWriter(
        GatewaySnapshotProvider snapshots, GatewayConfigRefresher refresher, BackendStateRegistry backends, LiveTraffic traffic, TimeProvider time)
    {
        _snapshots = snapshots;
        _refresher = refresher;
        _backends = backends;
        _traffic = traffic;
        _time = time;
    }

    public void Write(Utf8JsonWriter writer)
    {
        var snapshot = _snapshots.Current;
        var state = _refresher.State;
        var now = _time.GetUtcNow();
        var nowSecond = _traffic.NowSecond;
        writer.WriteStartObject();
        writer.WriteString("generatedAt", now);
        writer.WriteString("status", !_snapshots.IsLoaded ? "not_loaded" : state.LastError is null ? "ok" : "storage_unreachable");
        writer.WriteString("storageError", state.LastError);
        if (_snapshots.IsLoaded)
        {
            writer.WriteString("loadedAt", snapshot.LoadedAt);
        }
        else
        {
            writer.WriteNull("loadedAt");
        }

        writer.WriteNumber("windowSeconds", LiveTraffic.WindowSeconds);
        WriteRoutes(writer, snapshot, nowSecond);
        WriteTraffic(writer, "unmatched", _traffic.Unmatched.Summarize(nowSecond, 0));
        ConfigProblemListing.Write(writer, snapshot.Problems);
        BackendStatusListing.Write(writer, _backends, now);
        WriteFailures(writer);
        writer.WriteEndObject();
    }

    private void WriteRoutes(Utf8JsonWriter writer, GatewaySnapshot snapshot, long nowSecond)
    {
        writer.WriteStartArray("routes");
        foreach (var route in snapshot.RoutesById.Values.Select(r => r.Route).OrderBy(r => r.Id.Key, StringComparer.Ordinal))
        {
            writer.WriteStartObject();
            writer.WriteString("route", route.Id.Key);
            writer.WriteString("path", route.Path.Text);
            writer.WriteString("methods", route.Methods.IsEmpty ? "any" : string.Join(", ", route.Methods));
            writer.WriteString("target", route.Target switch
            {
                PoolTarget pool => pool.PoolName,
                StaticResponseTarget response => $"static {response.Status}",
                _ => route.Target.ToString(),
            });
            writer.WriteString("auth", route.Auth.Mode.ToString().ToLowerInvariant());
            WriteRateLimit(writer, route);
            WriteTraffic(writer, "traffic", (_traffic.Of(route.Id.Key) ?? Idle).Summarize(nowSecond, TopConsumerCount));
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    // A route without requests yet: an empty ring summarizes to zeros.
    private static readonly RouteTraffic Idle = new();

    private static void WriteRateLimit(Utf8JsonWriter writer, RouteDefinition route)
    {
        if (route.RateLimit is not { } policy)
        {
            writer.WriteNull("rateLimit");
            return;
        }

        writer.WriteStartObject("rateLimit");
        writer.WriteString("limits", string.Join(", ", policy.Rules.Select(r => r.Text)));
        writer.WriteString("by", policy.KeySource.ToString());

        // The tightest limit as requests per minute: what one caller's requests of the last minute are compared with.
        writer.WriteNumber("perMinute", Math.Round(policy.Rules.Min(r => r.Permits * 60.0 / r.WindowSeconds), 2));
        writer.WriteEndObject();
    }

    private static void WriteTraffic(Utf8JsonWriter writer, string name, RouteTrafficSummary summary)
    {
        writer.WriteStartObject(name);
        writer.WriteNumber("requests", summary.Requests);
        writer.WriteNumber("errors", summary.Errors);
        writer.WriteNumber("limited", summary.Limited);
        writer.WriteMillisecondsOrNull("p50Ms", summary.P50Ms);
        writer.WriteMillisecondsOrNull("p95Ms", summary.P95Ms);
        writer.WriteStartArray("perSecond");
        foreach (var count in summary.PerSecond)
        {
            writer.WriteNumberValue(count);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("topConsumers");
        foreach (var consumer in summary.TopConsumers)
        {
            writer.WriteStartObject();
            writer.WriteString("name", consumer.Name);
            writer.WriteBoolean("isAddress", consumer.IsAddress);
            writer.WriteNumber("requests", consumer.Requests);
            writer.WriteNumber("limited", consumer.Limited);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private void WriteFailures(Utf8JsonWriter writer)
    {
        writer.WriteStartArray("recentFailures");
        foreach (var failure in _traffic.Failures.Newest())
        {
            writer.WriteStartObject();
            writer.WriteString("at", failure.At);
            writer.WriteString("method", failure.Method);
            writer.WriteString("path", failure.Path);
            writer.WriteString("route", failure.Route);
            writer.WriteString("backend", failure.Backend);
            writer.WriteNumber("status", failure.Status);
            writer.WriteString("outcome", failure.Outcome);
            writer.WriteString("consumer", failure.Consumer);
            writer.WriteNumber("elapsedMs", failure.ElapsedMs);
            writer.WriteString("traceId", failure.TraceId);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }
}
