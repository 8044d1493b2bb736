using Azure.Data.Tables;
using FunctionsGateway.Configuration;
using FunctionsGateway.Core.Tests.Authentication;
using FunctionsGateway.Health;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace FunctionsGateway.Core.Tests.Health;

/// <summary>Every instance reads the rows on its own schedule into the backend states; a storage outage is logged once.</summary>
public sealed class BackendHealthReaderTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly GatewaySnapshotProvider _snapshots = new();
    private readonly InMemoryBackendHealthStore _store = new();
    private readonly CapturingLogger _logs = new();
    private readonly BackendStateRegistry _states;
    private readonly BackendHealthReader _reader;

    public BackendHealthReaderTests()
    {
        var options = Options.Create(new GatewayOptions());
        _states = new BackendStateRegistry(_snapshots, options, _time);
        _reader = new BackendHealthReader(_store, _states, options, _time, _logs.For<BackendHealthReader>());
        _snapshots.Publish(GatewaySnapshotBuilder.Build("Routes", [], "Backends", [new TableEntity("orders", "eu") { ["Url"] = "http://eu.test" }], GatewaySnapshot.Empty, _time.GetUtcNow()));
    }

    [Fact]
    public async Task ReadAsync_RowOfABackend_BecomesItsState()
    {
        var report = new BackendHealthReport(BackendHealthStatus.Unhealthy, _time.GetUtcNow(), 3, 2, 0, "refused");
        _store.Rows[("orders", "eu")] = report;

        var read = await _reader.ReadAsync(CancellationToken.None);

        Assert.True(read);
        Assert.Same(report, Assert.Single(_states.States).Report);
    }

    [Fact]
    public async Task ReadAsync_RowsChange_TheSnapshotDoesNot()
    {
        var before = _snapshots.Current;
        _store.Rows[("orders", "eu")] = new BackendHealthReport(BackendHealthStatus.Healthy, _time.GetUtcNow(), 3, 0, 2, null);

        await _reader.ReadAsync(CancellationToken.None);

        Assert.Same(before, _snapshots.Current);
    }

    [Fact]
    public async Task ReadAsync_StorageFailsTwice_WarnsOnceAndOnceMoreWhenItRecovers()
    {
        _store.FailReads = true;

        var first = await _reader.ReadAsync(CancellationToken.None);
        await _reader.ReadAsync(CancellationToken.None);
        _store.FailReads = false;
        var recovered = await _reader.ReadAsync(CancellationToken.None);

        Assert.False(first);
        Assert.True(recovered);
        Assert.Equal([510, 511], _logs.Entries.Select(e => e.Id.Id));
    }
}
