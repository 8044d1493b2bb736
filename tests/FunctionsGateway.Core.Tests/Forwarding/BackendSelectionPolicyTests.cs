using System.Collections.Immutable;
using FunctionsGateway.Configuration;
using FunctionsGateway.Forwarding;
using FunctionsGateway.Health;
using FunctionsGateway.Routing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace FunctionsGateway.Core.Tests.Forwarding;

/// <summary>
/// Which backend gets a request. Eligible: enabled, Weight above 0, not known unhealthy, circuit closed. The best Priority
/// tier with an eligible backend serves; within it two candidates are drawn by weight and the cheaper (latency × (in
/// flight + 1)) wins, the first drawn on a tie. When the pool has none: the FallbackPool, then the static Response*, then
/// panic. The random source hands out fixed numbers, so every case is exact.
/// </summary>
public sealed class BackendSelectionPolicyTests
{
    private static readonly double[] EvenRolls = [0.0, 0.24, 0.25, 0.49, 0.5, 0.74, 0.75, 0.999];
    private static readonly double[] SpreadRolls = [0.0, 0.5, 0.999];

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly BackendStateRegistry _states;

    public BackendSelectionPolicyTests() => _states = new BackendStateRegistry(Options.Create(new GatewayOptions()), _time);

    // ---- Weights ---------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    [InlineData(0.89)]
    public void Select_Weights9And1_FirstDrawBelowNinetyPercent_PicksTheHeavy(double roll)
    {
        var pool = Pool(Backend("heavy", weight: 9), Backend("light", weight: 1));

        var chosen = Policy(roll, 0.0).Select(pool, exclude: null);

        Assert.Equal("heavy", chosen.Backend?.Id.RowKey);
    }

    [Theory]
    [InlineData(0.9)]
    [InlineData(0.95)]
    [InlineData(0.99)]
    public void Select_Weights9And1_FirstDrawFromNinetyPercent_PicksTheLight(double roll)
    {
        var pool = Pool(Backend("heavy", weight: 9), Backend("light", weight: 1));

        var chosen = Policy(roll, 0.0).Select(pool, exclude: null);

        Assert.Equal("light", chosen.Backend?.Id.RowKey);
    }

    [Fact]
    public void Select_EqualWeights_SplitsTheFirstDrawEvenly()
    {
        var pool = Pool(Backend("a"), Backend("b"), Backend("c"), Backend("d"));

        var chosen = EvenRolls.Select(roll => Policy(roll, 0.0).Select(pool, null).Backend?.Id.RowKey);

        Assert.Equal(["a", "a", "b", "b", "c", "c", "d", "d"], chosen);
    }

    [Fact]
    public void Select_OneCandidate_DrawsOnceAndPicksIt()
    {
        var random = new FixedRandomSource(0.7);
        var pool = Pool(Backend("only"), Backend("drained", weight: 0));

        var chosen = new BackendSelectionPolicy(_states, _time, random).Select(pool, null);

        Assert.Equal("only", chosen.Backend?.Id.RowKey);
        Assert.Equal(1, random.Draws);
    }

    [Fact]
    public void Select_BothDrawsHitTheSameBackend_ItIsChosenWithoutComparing()
    {
        // Draws are independent (with replacement): a heavy backend is often drawn twice and then simply serves.
        var pool = Pool(Backend("slow", weight: 9), Backend("fast"));
        Latency("slow", pool, 500);
        Latency("fast", pool, 1);

        var chosen = Policy(0.1, 0.8).Select(pool, null);

        Assert.Equal("slow", chosen.Backend?.Id.RowKey);
    }

    // ---- Power of two choices ------------------------------------------------------------------------------------

    [Fact]
    public void Select_SecondCandidateMateriallyFaster_WinsOverTheFirstDrawn()
    {
        var pool = Pool(Backend("slow"), Backend("fast"));
        Latency("slow", pool, 100);
        Latency("fast", pool, 10);

        var chosen = Policy(0.0, 0.9).Select(pool, null);

        Assert.Equal("fast", chosen.Backend?.Id.RowKey);
    }

    [Fact]
    public void Select_FirstCandidateFaster_Stays()
    {
        var pool = Pool(Backend("fast"), Backend("slow"));
        Latency("fast", pool, 10);
        Latency("slow", pool, 100);

        var chosen = Policy(0.0, 0.9).Select(pool, null);

        Assert.Equal("fast", chosen.Backend?.Id.RowKey);
    }

    [Theory]
    [InlineData(30, 16)]
    [InlineData(8, 1)]
    [InlineData(0, 0)]
    public void Select_LatencyDifferenceNotMaterial_TheFirstDrawnStaysSoTheWeightsRule(double first, double second)
    {
        // Less than half but under 10 ms apart, or not less than half: noise, not a reason to override the weights.
        var pool = Pool(Backend("a"), Backend("b"));
        Latency("a", pool, first);
        Latency("b", pool, second);

        var chosen = Policy(0.0, 0.9).Select(pool, null);

        Assert.Equal("a", chosen.Backend?.Id.RowKey);
    }

    [Fact]
    public void Select_LatencyHalfAndTenMillisecondsLower_IsMaterial()
    {
        var pool = Pool(Backend("a"), Backend("b"));
        Latency("a", pool, 20);
        Latency("b", pool, 9.99);

        var chosen = Policy(0.0, 0.9).Select(pool, null);

        Assert.Equal("b", chosen.Backend?.Id.RowKey);
    }

    [Fact]
    public void Select_EqualLatencyButCallsInFlight_PrefersTheLessBusy()
    {
        var pool = Pool(Backend("busy"), Backend("idle"));
        Latency("busy", pool, 10);
        Latency("idle", pool, 10);
        var busy = _states.Get(pool.Backends[0]);
        busy.StartCall();
        busy.StartCall();

        var chosen = Policy(0.0, 0.9).Select(pool, null);

        Assert.Equal("idle", chosen.Backend?.Id.RowKey);
    }

    [Fact]
    public void Select_NoLatencyObservedYet_CostsNothingSoASlowOneLosesToIt()
    {
        var pool = Pool(Backend("known"), Backend("new"));
        Latency("known", pool, 50);

        var chosen = Policy(0.0, 0.9).Select(pool, null);

        Assert.Equal("new", chosen.Backend?.Id.RowKey);
    }

    // ---- Tiers and eligibility -----------------------------------------------------------------------------------

    [Fact]
    public void Select_LowerPriorityTierWithABackend_IsUsedAndBackupsAreNot()
    {
        var pool = Pool(Backend("backup", priority: 1, weight: 1000), Backend("primary", priority: 0, weight: 1));

        var chosen = SpreadRolls.Select(roll => Policy(roll, roll).Select(pool, null));

        Assert.All(chosen, c => Assert.Equal(("primary", SelectionKind.Primary), (c.Backend?.Id.RowKey, c.Kind)));
    }

    [Fact]
    public void Select_EveryPrimaryUnhealthy_UsesTheBackupTierAsBackup()
    {
        var pool = Pool(Backend("primary-1"), Backend("primary-2"), Backend("backup", priority: 1));
        Health("primary-1", pool, BackendHealthStatus.Unhealthy);
        Health("primary-2", pool, BackendHealthStatus.Unhealthy);

        var chosen = Policy(0.0, 0.0).Select(pool, null);

        Assert.Equal(("backup", SelectionKind.Backup, "orders"), (chosen.Backend?.Id.RowKey, chosen.Kind, chosen.Pool));
    }

    [Fact]
    public void Select_OnePrimaryStillEligible_BackupsStayUnused()
    {
        var pool = Pool(Backend("primary-1"), Backend("primary-2"), Backend("backup", priority: 1));
        Health("primary-1", pool, BackendHealthStatus.Unhealthy);

        var chosen = SpreadRolls.Select(roll => Policy(roll, roll).Select(pool, null).Backend?.Id.RowKey);

        Assert.All(chosen, id => Assert.Equal("primary-2", id));
    }

    [Fact]
    public void Select_PrimaryCircuitOpen_SkipsItLikeAnUnhealthyOne()
    {
        var pool = Pool(Backend("primary"), Backend("backup", priority: 1));
        _states.Get(pool.Backends[0]).SetCircuitOpen(true);

        var chosen = Policy(0.0, 0.0).Select(pool, null);

        Assert.Equal(("backup", SelectionKind.Backup), (chosen.Backend?.Id.RowKey, chosen.Kind));
    }

    [Fact]
    public void Select_CircuitClosedAgain_ReadmitsTheBackend()
    {
        var pool = Pool(Backend("primary"), Backend("backup", priority: 1));
        var state = _states.Get(pool.Backends[0]);
        state.SetCircuitOpen(true);
        state.SetCircuitOpen(false);

        var chosen = Policy(0.0, 0.0).Select(pool, null);

        Assert.Equal(("primary", SelectionKind.Primary), (chosen.Backend?.Id.RowKey, chosen.Kind));
    }

    [Fact]
    public void Select_PrimaryTierDisabled_TheNextTierServesAsPrimary()
    {
        // Disabled and drained backends are the operator's choice, not a failure: the tier that serves is the primary one.
        var pool = Pool(Backend("off", enabled: false), Backend("drained", weight: 0), Backend("next", priority: 5));

        var chosen = Policy(0.0, 0.0).Select(pool, null);

        Assert.Equal(("next", SelectionKind.Primary), (chosen.Backend?.Id.RowKey, chosen.Kind));
    }

    [Theory]
    [InlineData("Unknown")]
    [InlineData("Healthy")]
    public void Select_UnknownOrHealthy_IsEligible(string status)
    {
        var pool = Pool(Backend("primary"), Backend("backup", priority: 1));
        Health("primary", pool, Enum.Parse<BackendHealthStatus>(status));

        var chosen = Policy(0.0, 0.0).Select(pool, null);

        Assert.Equal("primary", chosen.Backend?.Id.RowKey);
    }

    [Fact]
    public void Select_NoRowAtAll_IsEligible()
    {
        var pool = Pool(Backend("never-probed"), Backend("backup", priority: 1));

        var chosen = Policy(0.0, 0.0).Select(pool, null);

        Assert.Equal("never-probed", chosen.Backend?.Id.RowKey);
    }

    [Fact]
    public void Select_UnhealthyRowAtTheStalenessLimit_StillCounts()
    {
        var pool = Pool(Backend("primary"), Backend("backup", priority: 1));
        Health("primary", pool, BackendHealthStatus.Unhealthy);
        _time.Advance(TimeSpan.FromSeconds(120));

        var chosen = Policy(0.0, 0.0).Select(pool, null);

        Assert.Equal("backup", chosen.Backend?.Id.RowKey);
    }

    [Fact]
    public void Select_UnhealthyRowOlderThanTheStalenessLimit_CountsAsUnknownAndServes()
    {
        var pool = Pool(Backend("primary"), Backend("backup", priority: 1));
        Health("primary", pool, BackendHealthStatus.Unhealthy);
        _time.Advance(TimeSpan.FromSeconds(121));

        var chosen = Policy(0.0, 0.0).Select(pool, null);

        Assert.Equal(("primary", SelectionKind.Primary), (chosen.Backend?.Id.RowKey, chosen.Kind));
    }

    [Fact]
    public void Select_EveryBackendUnhealthy_ReturnsNone()
    {
        var pool = Pool(Backend("a"), Backend("b", priority: 1));
        Health("a", pool, BackendHealthStatus.Unhealthy);
        Health("b", pool, BackendHealthStatus.Unhealthy);

        var chosen = Policy(0.0).Select(pool, null);

        Assert.Equal(BackendSelection.None, chosen);
    }

    // ---- Exclude (a retry on another backend) --------------------------------------------------------------------

    [Fact]
    public void Select_TriedBackendExcluded_PicksAnotherOfTheTier()
    {
        var pool = Pool(Backend("a"), Backend("b"), Backend("backup", priority: 1));

        var chosen = Policy(0.0, 0.0).Select(pool, [pool.Backends[0]]);

        Assert.Equal(("b", SelectionKind.Primary), (chosen.Backend?.Id.RowKey, chosen.Kind));
    }

    [Fact]
    public void Select_WholeTierExcluded_FallsToTheBackups()
    {
        var pool = Pool(Backend("a"), Backend("b"), Backend("backup", priority: 1));

        var chosen = Policy(0.0, 0.0).Select(pool, [pool.Backends[0], pool.Backends[1]]);

        Assert.Equal(("backup", SelectionKind.Backup), (chosen.Backend?.Id.RowKey, chosen.Kind));
    }

    [Fact]
    public void Select_ExcludedByIdFromAnEarlierSnapshot_IsStillExcluded()
    {
        var pool = Pool(Backend("a"), Backend("b"));

        var chosen = Policy(0.0, 0.0).Select(pool, [Backend("a")]);

        Assert.Equal("b", chosen.Backend?.Id.RowKey);
    }

    [Fact]
    public void Select_EveryBackendExcluded_ReturnsNone()
    {
        var pool = Pool(Backend("a"));

        var chosen = Policy(0.0).Select(pool, [pool.Backends[0]]);

        Assert.Null(chosen.Backend);
    }

    // ---- The route: fallback pool, fallback response, panic ------------------------------------------------------

    [Fact]
    public void SelectFor_PoolHasAnEligibleBackend_NeverLooksAtTheFallbacks()
    {
        var (route, snapshot) = RouteWithFallbacks(fallbackPool: true, fallbackResponse: true);

        var chosen = Policy(0.0, 0.0).SelectFor(route, snapshot, null);

        Assert.Equal(("orders-1", SelectionKind.Primary, "orders"), (chosen.Backend?.Id.RowKey, chosen.Kind, chosen.Pool));
    }

    [Fact]
    public void SelectFor_PoolAllUnhealthy_UsesTheFallbackPool()
    {
        var (route, snapshot) = RouteWithFallbacks(fallbackPool: true, fallbackResponse: true);
        Health("orders-1", snapshot.Pools["orders"], BackendHealthStatus.Unhealthy);

        var chosen = Policy(0.0, 0.0).SelectFor(route, snapshot, null);

        Assert.Equal(("dr-1", SelectionKind.FallbackPool, "orders-dr"), (chosen.Backend?.Id.RowKey, chosen.Kind, chosen.Pool));
    }

    [Fact]
    public void SelectFor_FallbackPoolUsesItsBackupsToo()
    {
        var (route, snapshot) = RouteWithFallbacks(fallbackPool: true, fallbackResponse: false);
        Health("orders-1", snapshot.Pools["orders"], BackendHealthStatus.Unhealthy);
        Health("dr-1", snapshot.Pools["orders-dr"], BackendHealthStatus.Unhealthy);

        var chosen = Policy(0.0, 0.0).SelectFor(route, snapshot, null);

        Assert.Equal(("dr-backup", SelectionKind.FallbackPool), (chosen.Backend?.Id.RowKey, chosen.Kind));
    }

    [Fact]
    public void SelectFor_FallbackPoolAllUnhealthyToo_AnswersTheFallbackResponse()
    {
        var (route, snapshot) = RouteWithFallbacks(fallbackPool: true, fallbackResponse: true);
        UnhealthyEverywhere(snapshot);

        var chosen = Policy(0.0, 0.0).SelectFor(route, snapshot, null);

        Assert.Equal((null, SelectionKind.FallbackResponse), (chosen.Backend, chosen.Kind));
    }

    [Fact]
    public void SelectFor_NoFallbackPoolButAResponse_AnswersTheResponse()
    {
        var (route, snapshot) = RouteWithFallbacks(fallbackPool: false, fallbackResponse: true);
        UnhealthyEverywhere(snapshot);

        var chosen = Policy(0.0, 0.0).SelectFor(route, snapshot, null);

        Assert.Equal(SelectionKind.FallbackResponse, chosen.Kind);
    }

    [Fact]
    public void SelectFor_EverythingUnhealthyAndNoResponse_PanicsInTheRoutesOwnPool()
    {
        var (route, snapshot) = RouteWithFallbacks(fallbackPool: true, fallbackResponse: false);
        UnhealthyEverywhere(snapshot);

        var chosen = Policy(0.0, 0.0).SelectFor(route, snapshot, null);

        Assert.Equal(("orders-1", SelectionKind.Panic, "orders"), (chosen.Backend?.Id.RowKey, chosen.Kind, chosen.Pool));
    }

    [Theory]
    [InlineData(0.0, "primary")]
    [InlineData(0.24, "primary")]
    [InlineData(0.25, "backup")]
    [InlineData(0.99, "backup")]
    public void SelectFor_Panic_IsWeightedOverEveryTierWhateverHealthOrCircuit(double roll, string expected)
    {
        var pool = Pool(Backend("primary", weight: 1), Backend("backup", priority: 1, weight: 3), Backend("drained", weight: 0), Backend("off", enabled: false));
        Health("primary", pool, BackendHealthStatus.Unhealthy);
        _states.Get(pool.Backends[1]).SetCircuitOpen(true);
        var route = RouteTo("orders");

        var chosen = Policy(roll, 0.0).SelectFor(route, Snapshot(pool), null);

        Assert.Equal((expected, SelectionKind.Panic), (chosen.Backend?.Id.RowKey, chosen.Kind));
    }

    [Fact]
    public void SelectFor_PoolWithOnlyDisabledOrDrainedBackends_ReturnsNoneEvenInPanic()
    {
        var pool = Pool(Backend("drained", weight: 0), Backend("off", enabled: false));

        var chosen = Policy(0.0).SelectFor(RouteTo("orders"), Snapshot(pool), null);

        Assert.Equal(BackendSelection.None, chosen);
    }

    [Fact]
    public void SelectFor_PoolMissing_UsesTheFallbackResponse()
    {
        var route = RouteTo("gone") with { FallbackResponse = new StaticResponseTarget(503, "down", "text/plain") };

        var chosen = Policy(0.0).SelectFor(route, Snapshot(), null);

        Assert.Equal(SelectionKind.FallbackResponse, chosen.Kind);
    }

    [Fact]
    public void SelectFor_StaticResponseRoute_IsABug()
    {
        var route = RouteTo("orders") with { Target = new StaticResponseTarget(200, "hi", "text/plain") };

        Assert.Throws<InvalidOperationException>(() => Policy(0.0).SelectFor(route, Snapshot(), null));
    }

    // ---- The request path ----------------------------------------------------------------------------------------

    [Fact]
    public void SelectFor_HealthyPool_AllocatesNothing()
    {
        var pool = Pool(Backend("a", weight: 3), Backend("b"), Backend("c", priority: 1));
        var snapshot = Snapshot(pool);
        var route = RouteTo("orders");
        _states.Update(snapshot);
        var policy = Policy(0.3, 0.6);
        policy.SelectFor(route, snapshot, null);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            policy.SelectFor(route, snapshot, null);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private BackendSelectionPolicy Policy(params double[] rolls) => new(_states, _time, new FixedRandomSource(rolls));

    private void Latency(string key, PoolDefinition pool, double milliseconds) =>
        _states.Get(pool.Backends.Single(b => b.Id.RowKey == key)).RecordLatency(milliseconds);

    private void Health(string key, PoolDefinition pool, BackendHealthStatus status) =>
        _states.Get(pool.Backends.Single(b => b.Id.RowKey == key)).Apply(status == BackendHealthStatus.Unhealthy
            ? new BackendHealthReport(status, _time.GetUtcNow(), 1, 2, 0, "answered 503")
            : new BackendHealthReport(status, _time.GetUtcNow(), 1, 0, 2, null));

    private void UnhealthyEverywhere(GatewaySnapshot snapshot)
    {
        foreach (var backend in snapshot.Pools.Values.SelectMany(p => p.Backends))
        {
            _states.Get(backend).Apply(new BackendHealthReport(BackendHealthStatus.Unhealthy, _time.GetUtcNow(), 1, 2, 0, "answered 503"));
        }
    }

    private static (RouteDefinition Route, GatewaySnapshot Snapshot) RouteWithFallbacks(bool fallbackPool, bool fallbackResponse)
    {
        var route = RouteTo("orders") with
        {
            FallbackPool = fallbackPool ? "orders-dr" : null,
            FallbackResponse = fallbackResponse ? new StaticResponseTarget(503, "down", "text/plain") : null,
        };
        var orders = Pool(Backend("orders-1"));
        var dr = new PoolDefinition("orders-dr", [Backend("dr-1", pool: "orders-dr"), Backend("dr-backup", priority: 1, pool: "orders-dr")]);
        return (route, Snapshot(orders, dr));
    }

    private static RouteDefinition RouteTo(string pool) => TestRoutes.Route("/orders") with { Target = new PoolTarget(pool) };

    private static GatewaySnapshot Snapshot(params PoolDefinition[] pools) => new(
        new Dictionary<RowId, ValidatedRoute>(), new Dictionary<RowId, BackendDefinition>(),
        pools.ToDictionary(p => p.Name, StringComparer.Ordinal), [], DateTimeOffset.UnixEpoch);

    private static PoolDefinition Pool(params BackendDefinition[] backends) => new("orders", [.. backends]);

    private static BackendDefinition Backend(string key, int weight = 1, int priority = 0, bool enabled = true, string pool = "orders") => new()
    {
        Id = new RowId("Backends", pool, key),
        Url = new Uri($"http://{key}.test/"),
        Weight = weight,
        Priority = priority,
        Enabled = enabled,
    };
}
