using System.Text;
using FunctionsGateway.Authentication;
using FunctionsGateway.Forwarding;
using FunctionsGateway.Health;
using FunctionsGateway.Pipeline;
using FunctionsGateway.Pipeline.Steps;
using FunctionsGateway.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;
using static FunctionsGateway.Core.Tests.Pipeline.Steps.StepTestContext;
using static FunctionsGateway.Routing.TestRoutes;

namespace FunctionsGateway.Core.Tests.Pipeline.Steps;

/// <summary>
/// Retries in the forwarding step, with YARP scripted: which failures are retried, where to, with which body, and which
/// failed attempts go to the client as they are. Backoff runs on the real clock at 1 ms.
/// </summary>
public sealed class ForwardStepRetryTests : IDisposable
{
    private static readonly PoolDefinition TwoBackends = Pool("orders", "orders-1", "orders-2");

    private readonly ScriptedForwarder _forwarder = new();
    private readonly BackendInvoker _invoker;
    private readonly ForwardStep _step;
    private readonly BackendCircuitBreakers _breakers;

    public ForwardStepRetryTests()
    {
        var options = Options.Create(new GatewayOptions { Forwarding = { RetryBodyBufferBytes = 16, RetryBackoffMilliseconds = 1 } });
        _invoker = new BackendInvoker(options);
        _breakers = new BackendCircuitBreakers(options, TimeProvider.System, NullLogger<BackendCircuitBreakers>.Instance);
        var states = new BackendStateRegistry(options, TimeProvider.System);
        _step = new ForwardStep(_forwarder, _invoker, new GatewayTransformer(options, Options.Create(new AuthenticationOptions())),
            options, TimeProvider.System, NullLogger<ForwardStep>.Instance, states, _breakers,
            new PolicyRetryBackendSource(new BackendSelectionPolicy(states, TimeProvider.System, new SharedRandomSource()), _breakers));
    }

    public void Dispose() => _invoker.Dispose();

    [Fact]
    public async Task InvokeAsync_GetConnectionRefused_RetriedAtTheOtherBackend()
    {
        _forwarder.ConnectionRefused().Status(200);
        var feature = FeatureAt("orders-1", TwoBackends);

        var result = await InvokeAsync(Request("GET", "/orders"), feature);

        Assert.Equal((true, null), (result.Ended, result.Error));
        Assert.Equal(["http://orders-1.test/", "http://orders-2.test/"], _forwarder.Destinations);
        Assert.Equal("orders-2", feature.Backend!.Id.RowKey);
    }

    [Theory]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    public async Task InvokeAsync_GetAnswered5xxThatIsRetryable_HeldBackAndRetriedAtTheOtherBackend(int status)
    {
        _forwarder.Status(status).Status(200);
        var context = Request("GET", "/orders");

        var result = await InvokeAsync(context, FeatureAt("orders-1", TwoBackends));

        Assert.Equal((true, null), (result.Ended, result.Error));
        Assert.Equal(2, _forwarder.Destinations.Count);
        Assert.Equal(200, context.Response.StatusCode);
    }

    [Fact]
    public async Task InvokeAsync_GetAnswered500_GoesToTheClientAsItIs()
    {
        _forwarder.Status(500);
        var context = Request("GET", "/orders");

        var result = await InvokeAsync(context, FeatureAt("orders-1", TwoBackends));

        Assert.Equal((true, null), (result.Ended, result.Error));
        Assert.Single(_forwarder.Destinations);
        Assert.Equal(500, context.Response.StatusCode);
    }

    [Fact]
    public async Task InvokeAsync_GetTimedOut_RetriedAtTheOtherBackend()
    {
        _forwarder.Fail(ForwarderError.RequestTimedOut).Status(200);

        var result = await InvokeAsync(Request("GET", "/orders"), FeatureAt("orders-1", TwoBackends));

        Assert.Null(result.Error);
        Assert.Equal(2, _forwarder.Destinations.Count);
    }

    [Fact]
    public async Task InvokeAsync_PostAnswered503_NotRetriedAndGoesToTheClientAsItIs()
    {
        _forwarder.Status(503);
        var context = Request("POST", "/orders");

        var result = await InvokeAsync(context, FeatureAt("orders-1", TwoBackends));

        Assert.Equal((true, null), (result.Ended, result.Error));
        Assert.Single(_forwarder.Destinations);
        Assert.Equal(503, context.Response.StatusCode);
    }

    [Fact]
    public async Task InvokeAsync_PostTimedOut_NotRetried()
    {
        _forwarder.Fail(ForwarderError.RequestTimedOut);

        var result = await InvokeAsync(Request("POST", "/orders"), FeatureAt("orders-1", TwoBackends));

        Assert.Equal(504, result.Error?.Status);
        Assert.Single(_forwarder.Destinations);
    }

    [Fact]
    public async Task InvokeAsync_PostConnectionRefused_RetriedBecauseNothingWasSent()
    {
        _forwarder.ConnectionRefused().Status(201);
        var context = WithBody(Request("POST", "/orders"), "a body larger than the buffer", declareLength: false);

        var result = await InvokeAsync(context, FeatureAt("orders-1", TwoBackends));

        Assert.Null(result.Error);
        Assert.Equal(2, _forwarder.Destinations.Count);
        Assert.Equal("a body larger than the buffer", Encoding.UTF8.GetString(Assert.Single(_forwarder.Bodies)));
    }

    [Fact]
    public async Task InvokeAsync_PutWithSmallBodyAnswered503_RetriedWithTheSameBody()
    {
        _forwarder.Status(503).Status(200);
        var context = WithBody(Request("PUT", "/orders"), "{\"n\":1}");

        var result = await InvokeAsync(context, FeatureAt("orders-1", TwoBackends));

        Assert.Null(result.Error);
        Assert.Equal(["{\"n\":1}", "{\"n\":1}"], _forwarder.Bodies.Select(Encoding.UTF8.GetString));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task InvokeAsync_PutWithBodyOverTheBufferAnswered503_NotRetried(bool declareLength)
    {
        _forwarder.Status(503);
        var context = WithBody(Request("PUT", "/orders"), "seventeen bytes!!", declareLength);

        var result = await InvokeAsync(context, FeatureAt("orders-1", TwoBackends));

        Assert.Equal((true, null), (result.Ended, result.Error));
        Assert.Single(_forwarder.Destinations);
        Assert.Equal(503, context.Response.StatusCode);
    }

    [Fact]
    public async Task InvokeAsync_RouteWithoutRetries_FailsAtTheFirstAttempt()
    {
        _forwarder.ConnectionRefused();
        var feature = FeatureFor(Route("/orders") with { Retries = 0 }, TimeProvider.System.GetTimestamp(), TwoBackends);
        feature.Backend = TwoBackends.Backends[0];

        var result = await InvokeAsync(Request("GET", "/orders"), feature);

        Assert.Same(GatewayError.BackendUnreachable, result.Error);
        Assert.Single(_forwarder.Destinations);
    }

    [Fact]
    public async Task InvokeAsync_EveryAttemptAnswers503_TheLastAnswerGoesToTheClientAfterTheRoutesRetries()
    {
        _forwarder.Status(503).Status(503).Status(503);
        var context = Request("GET", "/orders");

        var result = await InvokeAsync(context, FeatureAt("orders-1", TwoBackends));

        Assert.Equal((true, null), (result.Ended, result.Error));
        Assert.Equal(["http://orders-1.test/", "http://orders-2.test/", "http://orders-2.test/"], _forwarder.Destinations);
        Assert.Equal(503, context.Response.StatusCode);
    }

    [Fact]
    public async Task InvokeAsync_OnlyBackendAnswers503WithRetryAfter_NotRetriedAndGoesToTheClientAsItIs()
    {
        var single = Pool("orders", "orders-1");
        _forwarder.Status(503, retryAfter: "30");
        var context = Request("GET", "/orders");

        var result = await InvokeAsync(context, FeatureAt("orders-1", single));

        Assert.Equal((true, null), (result.Ended, result.Error));
        Assert.Single(_forwarder.Destinations);
        Assert.Equal(503, context.Response.StatusCode);
        Assert.True(_breakers.IsRetryAfterPending(single.Backends[0]));
    }

    [Fact]
    public async Task InvokeAsync_OnlyBackendAnswers503WithoutRetryAfter_RetriedAtTheSameBackend()
    {
        _forwarder.Status(503).Status(200);

        var result = await InvokeAsync(Request("GET", "/orders"), FeatureAt("orders-1", Pool("orders", "orders-1")));

        Assert.Null(result.Error);
        Assert.Equal(["http://orders-1.test/", "http://orders-1.test/"], _forwarder.Destinations);
    }

    [Fact]
    public async Task InvokeAsync_DeadlineLeavesNoRoomForABackoff_NotRetried()
    {
        _forwarder.Status(503);
        var route = Route("/orders");
        var almostOver = TimeProvider.System.GetTimestamp() - (long)((route.RequestTimeout - TimeSpan.FromMilliseconds(80)).TotalSeconds * TimeProvider.System.TimestampFrequency);
        var feature = FeatureFor(route, almostOver, TwoBackends);
        feature.Backend = TwoBackends.Backends[0];
        var context = Request("GET", "/orders");

        var result = await InvokeAsync(context, feature);

        Assert.Equal((true, null), (result.Ended, result.Error));
        Assert.Single(_forwarder.Destinations);
        Assert.Equal(503, context.Response.StatusCode);
    }

    [Fact]
    public async Task InvokeAsync_BackendAsked429WithRetryAfter_LaterRetriesAvoidIt()
    {
        var three = Pool("orders", "orders-1", "orders-2", "orders-3");
        _forwarder.Status(429, retryAfter: "60").ConnectionRefused().Status(200);
        await InvokeAsync(Request("GET", "/orders"), FeatureAt("orders-2", three));

        var result = await InvokeAsync(Request("GET", "/orders"), FeatureAt("orders-1", three));

        Assert.Null(result.Error);
        Assert.Equal(["http://orders-2.test/", "http://orders-1.test/", "http://orders-3.test/"], _forwarder.Destinations);
    }

    // The handler sets the feature on the request; the transformer reads it from there.
    private ValueTask<GatewayStepResult> InvokeAsync(HttpContext context, GatewayRequestFeature feature)
    {
        context.Features.Set(feature);
        return _step.InvokeAsync(context, feature);
    }

    private static DefaultHttpContext WithBody(DefaultHttpContext context, string body, bool declareLength = true)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        context.Request.Body = new MemoryStream(bytes);
        if (declareLength)
        {
            context.Request.ContentLength = bytes.Length;
        }
        else
        {
            context.Request.Headers.TransferEncoding = "chunked";
        }

        return context;
    }

    private static GatewayRequestFeature FeatureAt(string backend, PoolDefinition pool)
    {
        var feature = FeatureFor(Route("/orders"), TimeProvider.System.GetTimestamp(), pool);
        feature.Backend = pool.Backends.Single(b => b.Id.RowKey == backend);
        return feature;
    }
}
