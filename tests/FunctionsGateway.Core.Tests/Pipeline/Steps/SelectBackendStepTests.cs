using System.Text;
using FunctionsGateway.Core.Tests.Forwarding;
using FunctionsGateway.Forwarding;
using FunctionsGateway.Health;
using FunctionsGateway.Pipeline.Steps;
using FunctionsGateway.Routing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static FunctionsGateway.Core.Tests.Pipeline.Steps.StepTestContext;
using static FunctionsGateway.Routing.TestRoutes;

namespace FunctionsGateway.Core.Tests.Pipeline.Steps;

/// <summary>
/// The selection step hands the forwarding step a backend of the route's pool and says how it was chosen, answers the
/// route's fallback response itself, or ends the request with 503.
/// </summary>
public sealed class SelectBackendStepTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly BackendStateRegistry _states;
    private readonly SelectBackendStep _step;

    public SelectBackendStepTests()
    {
        _states = new BackendStateRegistry(Options.Create(new GatewayOptions()), _time);
        _step = new SelectBackendStep(new BackendSelectionPolicy(_states, _time, new FixedRandomSource(0.0)), _time, NullLogger<SelectBackendStep>.Instance);
    }

    [Fact]
    public async Task InvokeAsync_PoolHasABackend_SetsItAndContinuesAsPrimary()
    {
        var feature = FeatureFor(Route("/orders"), Pool("orders", "orders-1"));

        var result = await _step.InvokeAsync(Request("GET", "/orders"), feature);

        Assert.False(result.Ended);
        Assert.Equal("orders-1", feature.Backend?.Id.RowKey);
        Assert.Equal(SelectionKind.Primary, feature.Selection);
    }

    [Fact]
    public async Task InvokeAsync_PoolMissing_FailsNoBackendNamingThePool()
    {
        var feature = FeatureFor(Route("/orders"), Pool("invoices", "invoices-1"));

        var result = await _step.InvokeAsync(Request("GET", "/orders"), feature);

        Assert.Equal("no_backend", result.Error?.Code);
        Assert.Equal(503, result.Error?.Status);
        Assert.Contains("'orders'", result.Error?.Detail, StringComparison.Ordinal);
        Assert.Null(feature.Backend);
        Assert.Equal(SelectionKind.None, feature.Selection);
    }

    [Fact]
    public async Task InvokeAsync_PoolWithoutBackends_FailsNoBackend()
    {
        var feature = FeatureFor(Route("/orders"), Pool("orders"));

        var result = await _step.InvokeAsync(Request("GET", "/orders"), feature);

        Assert.Equal("no_backend", result.Error?.Code);
    }

    [Fact]
    public async Task InvokeAsync_NoBackendEligibleAndAFallbackResponse_AnswersItWithoutABackend()
    {
        var pool = Pool("orders", "orders-1");
        _states.Get(pool.Backends[0]).SetCircuitOpen(true);
        var route = Route("/orders") with { FallbackResponse = new StaticResponseTarget(503, "{\"down\":true}", "application/json") };
        var feature = FeatureFor(route, pool);
        var context = Request("GET", "/orders");
        context.Response.Body = new MemoryStream();

        var result = await _step.InvokeAsync(context, feature);

        Assert.True(result.Ended);
        Assert.Null(result.Error);
        Assert.Equal(503, context.Response.StatusCode);
        Assert.Equal("application/json", context.Response.ContentType);
        Assert.Equal("{\"down\":true}", Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray()));
        Assert.Null(feature.Backend);
        Assert.Equal(SelectionKind.FallbackResponse, feature.Selection);
    }

    [Fact]
    public async Task InvokeAsync_NoBackendEligibleAndNoFallback_ContinuesWithAPanicChoice()
    {
        var pool = Pool("orders", "orders-1");
        _states.Get(pool.Backends[0]).SetCircuitOpen(true);
        var feature = FeatureFor(Route("/orders"), pool);

        var result = await _step.InvokeAsync(Request("GET", "/orders"), feature);

        Assert.False(result.Ended);
        Assert.Equal("orders-1", feature.Backend?.Id.RowKey);
        Assert.Equal(SelectionKind.Panic, feature.Selection);
    }

    [Fact]
    public async Task InvokeAsync_BeforeARouteIsMatched_ThrowsNamingTheMissingStep()
    {
        var feature = Feature([]);

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(async () => await _step.InvokeAsync(Request("GET", "/orders"), feature));

        Assert.Contains("MatchRouteStep", thrown.Message, StringComparison.Ordinal);
    }
}
