using System.Diagnostics;
using FunctionsGateway.Core.Tests.Telemetry;
using FunctionsGateway.Pipeline;
using FunctionsGateway.Pipeline.Steps;
using FunctionsGateway.Routing;
using Microsoft.AspNetCore.Http;
using static FunctionsGateway.Core.Tests.Pipeline.GatewayRequestHandlerTests;

namespace FunctionsGateway.Core.Tests.Pipeline;

/// <summary>
/// The request's span: one per request while someone listens to the FunctionsGateway source, tagged with what the
/// gateway decided; none at all otherwise. Alone in its collection, as a listener sees every test's spans.
/// </summary>
[Collection(nameof(ActivityListenerCollection))]
public sealed class GatewayRequestHandlerTracingTests
{
    [Fact]
    public async Task HandleAsync_SomeoneListens_RecordsOneRequestSpanWithTheRouteStatusAndOutcome()
    {
        using var spans = new SpanRecorder();
        Activity? current = null;
        var route = TestRoutes.Route("/orders/{id}");
        var handler = Handler(Step(GatewayStepResult.Fail(GatewayError.NoBackend("orders")), (_, feature) =>
        {
            current = Activity.Current;
            feature.Route = route;
        }));

        await handler.HandleAsync(NewContext());

        var span = Assert.Single(spans.Stopped, s => s == current);
        Assert.Equal("gateway.request", span.OperationName);
        Assert.Equal("GET /orders/{id}", span.DisplayName);
        Assert.Equal("/orders/{id}", span.GetTagItem("http.route"));
        Assert.Equal(503, span.GetTagItem("http.response.status_code"));
        Assert.Equal("no_backend", span.GetTagItem("error.type"));
        Assert.Equal("no_backend", span.GetTagItem("gateway.outcome"));
        Assert.Equal(route.Id.Key, span.GetTagItem("gateway.route"));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
    }

    [Fact]
    public async Task HandleAsync_NoHostSpanButTheClientSentTraceparent_TheSpanContinuesTheClientsTrace()
    {
        using var spans = new SpanRecorder();
        Activity? current = null;
        var context = NewContext();
        context.Request.Headers.TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        var handler = Handler(Step(GatewayStepResult.Answered, (_, _) => current = Activity.Current));

        await handler.HandleAsync(context);

        Assert.NotNull(current);
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", current.TraceId.ToHexString());
        Assert.Equal("b7ad6b7169203331", current.ParentSpanId.ToHexString());
    }

    [Fact]
    public async Task HandleAsync_NobodyListens_StartsNoSpan()
    {
        Activity? current = null;
        var handler = Handler(Step(GatewayStepResult.Answered, (_, _) => current = Activity.Current));

        await handler.HandleAsync(NewContext());

        Assert.Null(current);
    }

    private static RecordingStep Step(GatewayStepResult result, Action<HttpContext, GatewayRequestFeature> act) => new("step", [], result, act);
}
