using FunctionsGateway.Configuration;
using FunctionsGateway.Core.Tests.Forwarding;
using FunctionsGateway.Pipeline;
using FunctionsGateway.Pipeline.Steps;
using FunctionsGateway.Routing;
using FunctionsGateway.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace FunctionsGateway.Core.Tests.Pipeline;

/// <summary>
/// How the handler composes the request's path: the registered steps run in order on one shared feature until one
/// ends the request; a problem a step returns is written as problem+json; no step runs before the routes are loaded.
/// </summary>
public sealed class GatewayRequestHandlerTests
{
    private readonly List<string> _ran = [];

    [Fact]
    public void AddGateway_Steps_AreRegisteredInTheOrderOfTheRequestsPath()
    {
        var services = new ServiceCollection();

        services.AddGateway(new ConfigurationBuilder().Build());

        var steps = services.Where(d => d.ServiceType == typeof(IGatewayStep)).Select(d => d.ImplementationType?.Name);
        Assert.Equal(
            ["CheckPathStep", "MatchRouteStep", "AuthenticateStep", "RateLimitStep", "FaultInjectionStep", "StaticResponseStep", "SelectBackendStep", "ForwardStep"],
            steps);
    }

    [Fact]
    public async Task HandleAsync_StepsContinue_RunInRegistrationOrderUntilOneAnswers()
    {
        var handler = Handler(Step("first"), Step("second"), Step("third", GatewayStepResult.Answered));

        await handler.HandleAsync(NewContext());

        Assert.Equal(["first", "second", "third"], _ran);
    }

    [Fact]
    public async Task HandleAsync_StepAnswers_LaterStepsDoNotRunAndTheResponseIsTheStepsOwn()
    {
        var context = NewContext();
        var handler = Handler(
            Step("writes", GatewayStepResult.Answered, (ctx, _) => ctx.Response.StatusCode = 204),
            Step("after"));

        await handler.HandleAsync(context);

        Assert.Equal(["writes"], _ran);
        Assert.Equal(204, context.Response.StatusCode);
        Assert.Null(context.Response.ContentType);
    }

    [Fact]
    public async Task HandleAsync_StepFails_WritesItsProblemWithHeadersAndLaterStepsDoNotRun()
    {
        var context = NewContext();
        var error = GatewayError.NoBackend("orders").WithHeader("Retry-After", "7");
        var handler = Handler(Step("fails", GatewayStepResult.Fail(error)), Step("after"));

        await handler.HandleAsync(context);

        Assert.Equal(["fails"], _ran);
        Assert.Equal(503, context.Response.StatusCode);
        Assert.Equal("application/problem+json", context.Response.ContentType);
        Assert.Equal("7", context.Response.Headers.RetryAfter.ToString());
        Assert.Equal("no_backend", context.Features.Get<GatewayRequestFeature>()?.ErrorCode);
    }

    [Fact]
    public async Task HandleAsync_Steps_ShareOneFeatureSetOnTheContext()
    {
        var context = NewContext();
        var route = TestRoutes.Route("/orders");
        RouteDefinition? seenBySecond = null;
        var handler = Handler(
            Step("sets", GatewayStepResult.Continue, (_, feature) => feature.Route = route),
            Step("reads", GatewayStepResult.Answered, (_, feature) => seenBySecond = feature.Route));

        await handler.HandleAsync(context);

        Assert.Same(route, seenBySecond);
        Assert.Same(route, context.Features.Get<GatewayRequestFeature>()?.Route);
    }

    [Fact]
    public async Task HandleAsync_NoStepEndsTheRequest_ThrowsBecauseThePipelineIsMisassembled()
    {
        var handler = Handler(Step("only"));

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => handler.HandleAsync(NewContext()));

        Assert.Contains("RecordingStep", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_FirstLoadFailed_Answers503WithRetryAfterAndRunsNoStep()
    {
        var snapshots = new GatewaySnapshotProvider();
        snapshots.ReportFailedAttempt();
        var context = NewContext();
        var handler = Handler(snapshots, Step("never", GatewayStepResult.Answered));

        await handler.HandleAsync(context);

        Assert.Empty(_ran);
        Assert.Equal(503, context.Response.StatusCode);
        Assert.Equal("30", context.Response.Headers.RetryAfter.ToString());
        Assert.Null(context.Features.Get<GatewayRequestFeature>());
    }

    private RecordingStep Step(string name, GatewayStepResult result = default, Action<HttpContext, GatewayRequestFeature>? act = null) =>
        new(name, _ran, result, act);

    internal static GatewayRequestHandler Handler(params IGatewayStep[] steps)
    {
        var snapshots = new GatewaySnapshotProvider();
        snapshots.Publish(GatewaySnapshot.Empty);
        return Handler(snapshots, steps);
    }

    private static GatewayRequestHandler Handler(GatewaySnapshotProvider snapshots, params IGatewayStep[] steps) =>
        new(snapshots, steps, Options.Create(new GatewayOptions { Configuration = { RefreshIntervalSeconds = 30 } }),
            new FakeTimeProvider(), new AccessLog(Options.Create(new AccessLogOptions()), NullLoggerFactory.Instance, new FixedRandomSource(0)));

    internal static DefaultHttpContext NewContext() => new() { Request = { Method = "GET", Path = "/orders" } };

    /// <summary>A step that records that it ran, optionally acts on the request, and answers a fixed result.</summary>
    internal sealed class RecordingStep(
        string name, List<string> ran, GatewayStepResult result, Action<HttpContext, GatewayRequestFeature>? act) : IGatewayStep
    {
        public ValueTask<GatewayStepResult> InvokeAsync(HttpContext context, GatewayRequestFeature feature)
        {
            ran.Add(name);
            act?.Invoke(context, feature);
            return ValueTask.FromResult(result);
        }
    }
}
