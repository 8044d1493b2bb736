using BenchmarkDotNet.Attributes;
using FunctionsGateway.Configuration;
using FunctionsGateway.Forwarding;
using FunctionsGateway.Health;
using FunctionsGateway.Routing;
using Microsoft.Extensions.Options;

namespace FunctionsGateway.Benchmarks;

/// <summary>
/// Choosing a request's backend: a pool of three (two primaries of weights 3 and 1 with latency samples, one backup),
/// all healthy; and the same pool with both primaries unhealthy (the backup serves). No I/O.
/// </summary>
[MemoryDiagnoser]
public class BackendSelectionBenchmarks
{
    private BackendSelectionPolicy _policy = null!;
    private BackendSelectionPolicy _downPolicy = null!;
    private RouteDefinition _route = null!;
    private GatewaySnapshot _healthy = null!;
    private GatewaySnapshot _primariesDown = null!;

    [GlobalSetup]
    public void Setup()
    {
        var options = Options.Create(new GatewayOptions());
        var states = new BackendStateRegistry(options, TimeProvider.System);
        _policy = new BackendSelectionPolicy(states, TimeProvider.System, new SharedRandomSource());
        _route = new RouteDefinition
        {
            Id = new RowId("Routes", "public", "orders"),
            Path = RouteTemplate.TryParse("/orders", out var path, out _) ? path : throw new InvalidOperationException(),
            Target = new PoolTarget("orders"),
        };
        _healthy = Snapshot(Pool("orders"));
        _primariesDown = Snapshot(Pool("orders"));
        states.Update(_healthy);
        foreach (var backend in _healthy.Pools["orders"].Backends)
        {
            states.Get(backend).RecordLatency(backend.Priority == 0 ? 5 : 20);
        }

        var down = new BackendStateRegistry(options, TimeProvider.System);
        down.Update(_primariesDown);
        foreach (var backend in _primariesDown.Pools["orders"].Backends.Where(b => b.Priority == 0))
        {
            // Checked "in the future", so the verdict never goes stale however long the run takes.
            down.Get(backend).Apply(new BackendHealthReport(BackendHealthStatus.Unhealthy, DateTimeOffset.MaxValue.AddYears(-1), 1, 2, 0, "down"));
        }

        _downPolicy = new BackendSelectionPolicy(down, TimeProvider.System, new SharedRandomSource());
    }

    [Benchmark(Baseline = true)]
    public BackendDefinition? AllHealthy() => _policy.SelectFor(_route, _healthy, null).Backend;

    [Benchmark]
    public BackendDefinition? PrimariesUnhealthy() => _downPolicy.SelectFor(_route, _primariesDown, null).Backend;

    private static PoolDefinition Pool(string name) => new(name,
    [
        new BackendDefinition { Id = new RowId("Backends", name, "a"), Url = new Uri("http://a.test/"), Weight = 3 },
        new BackendDefinition { Id = new RowId("Backends", name, "b"), Url = new Uri("http://b.test/") },
        new BackendDefinition { Id = new RowId("Backends", name, "backup"), Url = new Uri("http://backup.test/"), Priority = 1 },
    ]);

    private static GatewaySnapshot Snapshot(PoolDefinition pool) => new(
        new Dictionary<RowId, ValidatedRoute>(), new Dictionary<RowId, BackendDefinition>(),
        new Dictionary<string, PoolDefinition> { [pool.Name] = pool }, [], DateTimeOffset.UnixEpoch);
}
