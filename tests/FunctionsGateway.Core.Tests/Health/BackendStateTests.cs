using FunctionsGateway.Configuration;
using FunctionsGateway.Health;
using Microsoft.Extensions.Time.Testing;

namespace FunctionsGateway.Core.Tests.Health;

/// <summary>One backend's state: a row's verdict until it is stale, the latency average, calls in flight, the circuit flag.</summary>
public sealed class BackendStateTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly BackendState _state;

    public BackendStateTests() =>
        _state = new BackendState(new RowId("Backends", "orders", "eu"), "orders", new Uri("http://eu.test/"), _time, TimeSpan.FromSeconds(120));

    [Fact]
    public void StatusAt_NoRow_IsUnknown()
    {
        Assert.Equal(BackendHealthStatus.Unknown, _state.StatusAt(_time.GetUtcNow()));
    }

    [Fact]
    public void StatusAt_FreshRow_IsTheRowsStatus()
    {
        _state.Apply(Unhealthy(_time.GetUtcNow()));

        _time.Advance(TimeSpan.FromSeconds(119));

        Assert.Equal(BackendHealthStatus.Unhealthy, _state.StatusAt(_time.GetUtcNow()));
    }

    [Fact]
    public void StatusAt_RowOlderThanTheLimit_IsUnknownNotWhatItSaid()
    {
        _state.Apply(new BackendHealthReport(BackendHealthStatus.Healthy, _time.GetUtcNow(), 4, 0, 2, null));

        _time.Advance(TimeSpan.FromSeconds(121));

        Assert.Equal(BackendHealthStatus.Unknown, _state.StatusAt(_time.GetUtcNow()));
    }

    [Fact]
    public void Apply_OlderRowThanTheOneHeld_IsIgnored()
    {
        var now = _time.GetUtcNow();
        _state.Apply(Unhealthy(now));

        _state.Apply(new BackendHealthReport(BackendHealthStatus.Healthy, now.AddSeconds(-30), 4, 0, 2, null));

        Assert.Equal(BackendHealthStatus.Unhealthy, _state.Report?.Status);
    }

    [Fact]
    public void Apply_SuccessfulProbe_JoinsTheLatencyAverageAndAFailedOneDoesNot()
    {
        var now = _time.GetUtcNow();

        _state.Apply(new BackendHealthReport(BackendHealthStatus.Healthy, now, 20, 0, 2, null));
        _state.Apply(Unhealthy(now.AddSeconds(30)) with { LatencyMs = 1 });

        Assert.Equal(20, _state.LatencyMs);
    }

    [Fact]
    public void RecordLatency_WeighsTheNewestSampleThreeTenths()
    {
        _state.RecordLatency(100);
        _state.RecordLatency(200);

        Assert.Equal(130, _state.LatencyMs!.Value, precision: 6);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(-1)]
    public void RecordLatency_NotAFiniteDuration_IsIgnored(double sample)
    {
        _state.RecordLatency(sample);

        Assert.Null(_state.LatencyMs);
    }

    [Fact]
    public void StartAndEndCall_CountInFlightAndTimeTheAnsweredCall()
    {
        var started = _state.StartCall();
        var inFlight = _state.InFlight;
        _time.Advance(TimeSpan.FromMilliseconds(25));

        _state.EndCall(started, responded: true);

        Assert.Equal((1, 0), (inFlight, _state.InFlight));
        Assert.Equal(25, _state.LatencyMs);
    }

    [Fact]
    public void SetCircuitOpen_IsWhatCircuitOpenReads()
    {
        var initially = _state.CircuitOpen;

        _state.SetCircuitOpen(true);

        Assert.False(initially);
        Assert.True(_state.CircuitOpen);
    }

    [Fact]
    public void MovedTo_ForgetsWhatWasSeenAtTheOldAddress()
    {
        _state.Apply(Unhealthy(_time.GetUtcNow()));
        _state.RecordLatency(10);

        _state.MovedTo(new Uri("http://eu-2.test/"));

        Assert.Equal((null, null, "http://eu-2.test/"), (_state.Report, _state.LatencyMs, _state.Url.AbsoluteUri));
    }

    private static BackendHealthReport Unhealthy(DateTimeOffset at) => new(BackendHealthStatus.Unhealthy, at, 3, 2, 0, "answered 503 to GET /health");
}
