using FunctionsGateway.Pipeline.Steps;
using static FunctionsGateway.Core.Tests.Pipeline.Steps.StepTestContext;
using static FunctionsGateway.Routing.TestRoutes;

namespace FunctionsGateway.Core.Tests.Pipeline.Steps;

/// <summary>The selection step hands the forwarding step a backend of the route's pool, or ends the request with 503.</summary>
public sealed class SelectBackendStepTests
{
    private readonly SelectBackendStep _step = new();

    [Fact]
    public async Task InvokeAsync_PoolHasABackend_SetsItAndContinues()
    {
        var feature = FeatureFor(Route("/orders"), Pool("orders", "orders-1"));

        var result = await _step.InvokeAsync(Request("GET", "/orders"), feature);

        Assert.False(result.Ended);
        Assert.Equal("orders-1", feature.Backend?.Id.RowKey);
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
    }

    [Fact]
    public async Task InvokeAsync_PoolWithoutBackends_FailsNoBackend()
    {
        var feature = FeatureFor(Route("/orders"), Pool("orders"));

        var result = await _step.InvokeAsync(Request("GET", "/orders"), feature);

        Assert.Equal("no_backend", result.Error?.Code);
    }

    [Fact]
    public async Task InvokeAsync_BeforeARouteIsMatched_ThrowsNamingTheMissingStep()
    {
        var feature = Feature([]);

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(async () => await _step.InvokeAsync(Request("GET", "/orders"), feature));

        Assert.Contains("MatchRouteStep", thrown.Message, StringComparison.Ordinal);
    }
}
