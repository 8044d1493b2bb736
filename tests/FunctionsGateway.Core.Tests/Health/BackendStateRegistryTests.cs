using Azure.Data.Tables;
using FunctionsGateway.Configuration;
using FunctionsGateway.Health;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace FunctionsGateway.Core.Tests.Health;

/// <summary>
/// Backend state lives beside the snapshots: a table reload keeps the state of every backend that stays, adds new
/// ones, drops those that left, and starts afresh for a row re-pointed at another address.
/// </summary>
public sealed class BackendStateRegistryTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly GatewaySnapshotProvider _snapshots = new();
    private readonly BackendStateRegistry _registry;

    public BackendStateRegistryTests() =>
        _registry = new BackendStateRegistry(_snapshots, Options.Create(new GatewayOptions()), _time);

    [Fact]
    public void Publish_NewSnapshot_AddsAStatePerBackendIncludingRoutesBackendShorthand()
    {
        Publish([Backend("orders", "eu"), Backend("orders", "us")], [Route("inline", "http://inline.test")]);

        Assert.Equal(["orders/eu", "orders/us", "public/inline"], _registry.States.Select(s => s.Id.Key).Order());
    }

    [Fact]
    public void Publish_BackendStays_KeepsItsHealthLatencyAndCircuitAcrossTheSwap()
    {
        var first = Publish([Backend("orders", "eu"), Backend("orders", "us")]);
        var state = _registry.Get(first.Pools["orders"].Backends[0]);
        state.Apply(new BackendHealthReport(BackendHealthStatus.Unhealthy, _time.GetUtcNow(), 3, 2, 0, "refused"));
        state.RecordLatency(12);
        state.SetCircuitOpen(true);

        var second = Publish([Backend("orders", "eu", weight: 5), Backend("orders", "us")]);

        var after = _registry.Get(second.Pools["orders"].Backends[0]);
        Assert.Same(state, after);
        Assert.Equal((BackendHealthStatus.Unhealthy, 12.0, true), (after.Report?.Status, after.LatencyMs, after.CircuitOpen));
    }

    [Fact]
    public void Publish_BackendLeftTheTables_DropsItsState()
    {
        Publish([Backend("orders", "eu"), Backend("orders", "us")]);

        Publish([Backend("orders", "eu")]);

        Assert.Equal(["orders/eu"], _registry.States.Select(s => s.Id.Key));
    }

    [Fact]
    public void Publish_RowPointedAtAnotherAddress_StartsAfresh()
    {
        var first = Publish([Backend("orders", "eu")]);
        var state = _registry.Get(first.Pools["orders"].Backends[0]);
        state.Apply(new BackendHealthReport(BackendHealthStatus.Unhealthy, _time.GetUtcNow(), 3, 2, 0, "refused"));

        Publish([Backend("orders", "eu", url: "http://eu-new.test")]);

        Assert.Null(state.Report);
        Assert.Equal("http://eu-new.test/", state.Url.AbsoluteUri);
    }

    [Fact]
    public void Get_BackendOfTheCurrentSnapshot_IsTheRegisteredState()
    {
        var snapshot = Publish([Backend("orders", "eu")]);

        var state = _registry.Get(snapshot.Pools["orders"].Backends[0]);

        Assert.Same(Assert.Single(_registry.States), state);
    }

    [Fact]
    public void Of_PoolOfTheCurrentSnapshot_IsItsBackendsStatesInOrderWithoutANewArray()
    {
        var pool = Publish([Backend("orders", "b"), Backend("orders", "a")]).Pools["orders"];

        var first = _registry.Of(pool);
        var second = _registry.Of(pool);

        Assert.Same(first, second);
        Assert.Equal(pool.Backends.Select(b => b.Id.Key), first.Select(s => s.Id.Key));
    }

    [Fact]
    public void Of_PoolOfAnEarlierSnapshot_StillGivesTheBackendsStates()
    {
        var old = Publish([Backend("orders", "a")]).Pools["orders"];
        Publish([Backend("orders", "a"), Backend("orders", "b")]);

        var states = _registry.Of(old);

        Assert.Same(_registry.States.Single(s => s.Id.RowKey == "a"), Assert.Single(states));
    }

    [Fact]
    public void Apply_RowsOfKnownBackends_AreApplied_OthersIgnored()
    {
        var snapshot = Publish([Backend("orders", "eu")]);
        var report = new BackendHealthReport(BackendHealthStatus.Healthy, _time.GetUtcNow(), 4, 0, 2, null);

        _registry.Apply(new Dictionary<(string, string), BackendHealthReport?>
        {
            [("orders", "eu")] = report,
            [("orders", "gone")] = report,
            [("payments", "eu")] = null,
        });

        Assert.Same(report, _registry.Get(snapshot.Pools["orders"].Backends[0]).Report);
        Assert.Single(_registry.States);
    }

    [Fact]
    public void Observe_ReportsOnePerTableBackend_1Healthy0UnhealthyMinus1Unknown()
    {
        var snapshot = Publish([Backend("orders", "eu"), Backend("orders", "us"), Backend("payments", "a")], [Route("inline", "http://inline.test")]);
        _registry.Get(snapshot.Pools["orders"].Backends[0]).Apply(new BackendHealthReport(BackendHealthStatus.Healthy, _time.GetUtcNow(), 4, 0, 2, null));
        _registry.Get(snapshot.Pools["orders"].Backends[1]).Apply(new BackendHealthReport(BackendHealthStatus.Unhealthy, _time.GetUtcNow(), 4, 2, 0, "refused"));

        var measurements = _registry.Observe()
            .ToDictionary(m => (string)m.Tags.ToArray().Single(t => t.Key == "backend").Value!, m => (m.Value, (string)m.Tags.ToArray().Single(t => t.Key == "pool").Value!));

        Assert.Equal(3, measurements.Count);
        Assert.Equal((1, "orders"), measurements["orders/eu"]);
        Assert.Equal((0, "orders"), measurements["orders/us"]);
        Assert.Equal((-1, "payments"), measurements["payments/a"]);
    }

    private GatewaySnapshot Publish(IReadOnlyList<TableEntity> backends, IReadOnlyList<TableEntity>? routes = null)
    {
        var snapshot = GatewaySnapshotBuilder.Build("Routes", routes ?? [], "Backends", backends, _snapshots.Current, _time.GetUtcNow());
        _snapshots.Publish(snapshot);
        return snapshot;
    }

    private static TableEntity Backend(string pool, string key, int weight = 1, string? url = null) =>
        new(pool, key) { ["Url"] = url ?? $"http://{key}.test", ["Weight"] = weight };

    private static TableEntity Route(string key, string backend) => new("public", key) { ["Path"] = "/" + key, ["Backend"] = backend };
}
