using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using FunctionsGateway.Telemetry;

namespace FunctionsGateway.IntegrationTests.Infrastructure;

/// <summary>Records one of the gateway's counters or histograms while it lives, measurement by measurement with their tags.</summary>
public sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();

    public MetricRecorder(string instrument)
    {
        _listener.InstrumentPublished = (published, listener) =>
        {
            if (published.Meter.Name == GatewayTelemetry.Name && published.Name == instrument)
            {
                listener.EnableMeasurementEvents(published);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) => Measurements.Enqueue((value, Copy(tags))));
        _listener.SetMeasurementEventCallback<double>((_, value, tags, _) => Values.Enqueue((value, Copy(tags))));
        _listener.Start();
    }

    public ConcurrentQueue<(long Value, Dictionary<string, string?> Tags)> Measurements { get; } = new();

    /// <summary>The measurements of a histogram of doubles, such as a duration in seconds.</summary>
    public ConcurrentQueue<(double Value, Dictionary<string, string?> Tags)> Values { get; } = new();

    /// <summary>The sum of the measurements whose tags include every one of <paramref name="tags"/>.</summary>
    public long Sum(params (string Key, string Value)[] tags) =>
        Measurements.Where(m => tags.All(t => m.Tags.TryGetValue(t.Key, out var v) && v == t.Value)).Sum(m => m.Value);

    public void Dispose() => _listener.Dispose();

    private static Dictionary<string, string?> Copy(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, string?>();
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value?.ToString();
        }

        return copy;
    }
}
