using FunctionsGateway.Configuration;
using FunctionsGateway.Forwarding;
using FunctionsGateway.Health;
using FunctionsGateway.Routing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static FunctionsGateway.Core.Tests.Pipeline.Steps.StepTestContext;
using static FunctionsGateway.Routing.TestRoutes;

namespace FunctionsGateway.Core.Tests.Forwarding;

/// <summary>Where a retry goes: another backend of the pool when there is one that can take traffic, else the same one.</summary>
public sealed class PolicyRetryBackendSourceTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly BackendStateRegistry _states;
    private readonly BackendCircuitBreakers _breakers;
    private readonly PolicyRetryBackendSource _source;

    public PolicyRetryBackendSourceTests()
    {
        var options = Options.Create(new GatewayOptions());
        _states = new BackendStateRegistry(options, _time);
        _breakers = ResilienceServiceCollectionExtensions.LinkToBackendStates(
            new BackendCircuitBreakers(options, _time, NullLogger<BackendCircuitBreakers>.Instance), _states, TimeSpan.FromSeconds(5));
        _source = new PolicyRetryBackendSource(new BackendSelectionPolicy(_states, _time, new FixedRandomSource(0.3)), _breakers);
    }

    [Fact]
    public void Next_PoolOfTwo_TheOtherOne()
    {
        var pool = Pool("orders", "a", "b");

        var next = _source.Next(FeatureFor(Route("/orders"), pool), [pool.Backends[0]]);

        Assert.Same(pool.Backends[1], next);
    }

    [Fact]
    public void Next_EveryBackendTried_TheLastOneTriedAgain()
    {
        var pool = Pool("orders", "a", "b");

        var next = _source.Next(FeatureFor(Route("/orders"), pool), [pool.Backends[0], pool.Backends[1]]);

        Assert.Same(pool.Backends[1], next);
    }

    [Fact]
    public void Next_DisabledDrainedAndBackupBackends_OnlyTheBestTierThatTakesTraffic()
    {
        var pool = new PoolDefinition("orders",
        [
            Backend("a"), Backend("disabled") with { Enabled = false }, Backend("drained") with { Weight = 0 },
            Backend("backup") with { Priority = 1 }, Backend("c"),
        ]);

        var next = _source.Next(FeatureFor(Route("/orders"), pool), [pool.Backends[0]]);

        Assert.Equal("c", next!.Id.RowKey);
    }

    [Fact]
    public void Next_PrimariesTried_TheBackup()
    {
        var pool = new PoolDefinition("orders", [Backend("a"), Backend("backup") with { Priority = 1 }]);

        var next = _source.Next(FeatureFor(Route("/orders"), pool), [pool.Backends[0]]);

        Assert.Equal("backup", next!.Id.RowKey);
    }

    [Fact]
    public void Next_OtherBackendAskedForTimeWithRetryAfter_TheSameOneAgain()
    {
        var pool = Pool("orders", "a", "b");
        _breakers.RetryAfter(pool.Backends[1], TimeSpan.FromSeconds(10));

        var next = _source.Next(FeatureFor(Route("/orders"), pool), [pool.Backends[0]]);

        Assert.Same(pool.Backends[0], next);
    }

    [Fact]
    public void Next_OtherBackendsCircuitOpen_TheThirdOne()
    {
        var pool = Pool("orders", "a", "b", "c");
        var feature = FeatureFor(Route("/orders"), pool);
        _states.Update(feature.Snapshot);
        _states.Get(pool.Backends[1]).SetCircuitOpen(true);

        var next = _source.Next(feature, [pool.Backends[0]]);

        Assert.Same(pool.Backends[2], next);
    }

    [Fact]
    public void Next_BreakerOpensOnTheOtherBackend_ItIsSkippedForTheBreaksDuration()
    {
        var pool = Pool("orders", "a", "b", "c");
        var feature = FeatureFor(Route("/orders"), pool);
        _states.Update(feature.Snapshot);

        _breakers.OnOpened!(pool.Backends[1].Id);

        Assert.Same(pool.Backends[2], _source.Next(feature, [pool.Backends[0]]));
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.False(_states.Get(pool.Backends[1]).CircuitOpen);
    }

    [Fact]
    public void Next_PoolGone_Null()
    {
        var next = _source.Next(FeatureFor(Route("/orders")), [Backend("a")]);

        Assert.Null(next);
    }
}
