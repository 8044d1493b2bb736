using FunctionsGateway.Pipeline;
using FunctionsGateway.Pipeline.Steps;
using static FunctionsGateway.Core.Tests.Pipeline.Steps.StepTestContext;
using static FunctionsGateway.Routing.TestRoutes;

namespace FunctionsGateway.Core.Tests.Pipeline.Steps;

/// <summary>The matching step: the matched route is handed on in the feature; no route or a wrong method ends the request.</summary>
public sealed class MatchRouteStepTests
{
    private readonly MatchRouteStep _step = new();

    [Fact]
    public async Task InvokeAsync_RouteMatches_SetsTheRouteAndContinues()
    {
        var route = Route("/orders", methods: "GET");
        var feature = Feature([route]);

        var result = await _step.InvokeAsync(Request("GET", "/orders"), feature);

        Assert.False(result.Ended);
        Assert.Same(route, feature.Route);
    }

    [Fact]
    public async Task InvokeAsync_NoRouteMatches_Fails404AndSetsNoRoute()
    {
        var feature = Feature([Route("/orders")]);

        var result = await _step.InvokeAsync(Request("GET", "/invoices"), feature);

        Assert.Same(GatewayError.RouteNotFound, result.Error);
        Assert.Null(feature.Route);
    }

    [Fact]
    public async Task InvokeAsync_PathMatchesButNotTheMethod_Fails405WithAllow()
    {
        var feature = Feature([Route("/orders", methods: "GET,POST")]);

        var result = await _step.InvokeAsync(Request("DELETE", "/orders"), feature);

        Assert.Equal(405, result.Error?.Status);
        Assert.Contains(result.Error!.Headers, header => header.Key == "Allow");
        Assert.Null(feature.Route);
    }
}
