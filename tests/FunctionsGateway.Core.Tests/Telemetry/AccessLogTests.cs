using System.Diagnostics.Metrics;
using System.Net;
using FunctionsGateway.Core.Tests.Authentication;
using FunctionsGateway.Core.Tests.Forwarding;
using FunctionsGateway.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FunctionsGateway.Core.Tests.Telemetry;

/// <summary>
/// Which requests the access log keeps (errors always, successes by the sample rate, nothing when it is off or nobody
/// listens) and that a full queue drops and counts instead of making the request wait.
/// </summary>
public sealed class AccessLogTests
{
    [Theory]
    [InlineData(200, null, true)]
    [InlineData(404, "route_not_found", true)]
    [InlineData(502, null, true)]
    public void ShouldRecord_DefaultSettings_KeepsEveryRequest(int status, string? code, bool expected)
    {
        var log = Create(new AccessLogOptions());

        Assert.Equal(expected, log.ShouldRecord(status, code));
    }

    [Fact]
    public void ShouldRecord_Disabled_KeepsNothingNotEvenErrors()
    {
        var log = Create(new AccessLogOptions { Enabled = false });

        Assert.False(log.ShouldRecord(503, "no_backend"));
    }

    [Fact]
    public void ShouldRecord_NoLoggerAtInformation_KeepsNothing()
    {
        var log = new AccessLog(Options.Create(new AccessLogOptions()), NullLoggerFactory.Instance, new FixedRandomSource(0));

        Assert.False(log.ShouldRecord(500, null));
    }

    [Theory]
    [InlineData(400, null)]
    [InlineData(499, "client_aborted")]
    [InlineData(504, "backend_timeout")]
    [InlineData(200, "fault_injected")]
    public void ShouldRecord_SampleRateZero_StillKeepsErrors(int status, string? code)
    {
        var log = Create(new AccessLogOptions { SuccessSampleRate = 0 });

        Assert.True(log.ShouldRecord(status, code));
    }

    [Fact]
    public void ShouldRecord_SampleRateZero_DropsSuccessesWithoutDrawing()
    {
        var random = new FixedRandomSource(0);
        var log = Create(new AccessLogOptions { SuccessSampleRate = 0 }, random);

        Assert.False(log.ShouldRecord(200, null));
        Assert.Equal(0, random.Draws);
    }

    [Fact]
    public void ShouldRecord_SampleRateOneTenth_KeepsASuccessWhoseDrawFallsBelowIt()
    {
        var log = Create(new AccessLogOptions { SuccessSampleRate = 0.1 }, new FixedRandomSource(0.05, 0.5));

        var kept = log.ShouldRecord(200, null);
        var skipped = log.ShouldRecord(204, null);

        Assert.True(kept);
        Assert.False(skipped);
    }

    [Fact]
    public void Record_QueueFull_DropsAndCountsInsteadOfWaiting()
    {
        using var dropped = new DropCounter();
        var log = Create(new AccessLogOptions { QueueCapacity = 100 });

        for (var i = 0; i < 103; i++)
        {
            log.Record(Entry("/orders/" + i));
        }

        Assert.Equal(3, dropped.Count);
        Assert.Equal(100, log.Pending.Count);
    }

    internal static AccessLogEntry Entry(string path, int status = 200, string outcome = "ok") =>
        new("GET", path, "orders", "primary", status, outcome, 1.234, IPAddress.Parse("::ffff:10.0.0.7"), default, "request-1", null);

    private static AccessLog Create(AccessLogOptions options, FixedRandomSource? random = null) =>
        new(Options.Create(options), new CapturingLogger(), random ?? new FixedRandomSource(0));

    /// <summary>Counts gateway.access_log.dropped while it lives.</summary>
    private sealed class DropCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _count;

        public DropCounter()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == GatewayTelemetry.Name && instrument.Name == "gateway.access_log.dropped")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _count, value));
            _listener.Start();
        }

        public long Count => Interlocked.Read(ref _count);

        public void Dispose() => _listener.Dispose();
    }
}
