using FunctionsGateway.Pipeline.Steps;
using FunctionsGateway.Routing;
using static FunctionsGateway.Core.Tests.Pipeline.Steps.StepTestContext;
using static FunctionsGateway.Routing.TestRoutes;

namespace FunctionsGateway.Core.Tests.Pipeline.Steps;

/// <summary>The static-response step answers routes whose target is a static response and lets every other route go on.</summary>
public sealed class StaticResponseStepTests
{
    private readonly StaticResponseStep _step = new();

    [Fact]
    public async Task InvokeAsync_PoolRoute_ContinuesWithoutWriting()
    {
        var context = Request("GET", "/orders");

        var result = await _step.InvokeAsync(context, FeatureFor(Route("/orders")));

        Assert.False(result.Ended);
        Assert.False(context.Response.HasStarted);
        Assert.Equal(200, context.Response.StatusCode);
    }

    [Fact]
    public async Task InvokeAsync_StaticRoute_WritesStatusTypeAndBodyAndAnswers()
    {
        var context = Request("GET", "/ping");
        context.Response.Body = new MemoryStream();

        var result = await _step.InvokeAsync(context, FeatureFor(StaticRoute("/ping", new StaticResponseTarget(418, "short and stout", "text/plain"))));

        Assert.True(result.Ended);
        Assert.Null(result.Error);
        Assert.Equal(418, context.Response.StatusCode);
        Assert.Equal("text/plain", context.Response.ContentType);
        Assert.Equal("short and stout", System.Text.Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray()));
    }

    [Fact]
    public async Task InvokeAsync_StaticRouteAnsweringHead_WritesNoBody()
    {
        var context = Request("HEAD", "/ping");
        context.Response.Body = new MemoryStream();

        var result = await _step.InvokeAsync(context, FeatureFor(StaticRoute("/ping", new StaticResponseTarget(200, "pong", "text/plain"))));

        Assert.True(result.Ended);
        Assert.Equal("text/plain", context.Response.ContentType);
        Assert.Equal(0, context.Response.Body.Length);
    }

    private static RouteDefinition StaticRoute(string path, StaticResponseTarget target) => Route(path) with { Target = target };
}
