using FunctionsGateway.Authentication;
using FunctionsGateway.Configuration;
using FunctionsGateway.Forwarding;
using FunctionsGateway.Health;
using FunctionsGateway.Pipeline;
using FunctionsGateway.Pipeline.Steps;
using FunctionsGateway.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Yarp.ReverseProxy.Forwarder;
using static FunctionsGateway.Core.Tests.Pipeline.Steps.StepTestContext;
using static FunctionsGateway.Routing.TestRoutes;

namespace FunctionsGateway.Core.Tests.Pipeline.Steps;

/// <summary>
/// The forwarding step: the backend is called only for a request within the body limit and the route's deadline, with
/// the route's timeout; a backend's answer or a client that went away ends the request without a problem.
/// </summary>
public sealed class ForwardStepTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly FakeForwarder _forwarder = new();
    private readonly BackendInvoker _invoker;
    private readonly BackendStateRegistry _states;
    private readonly ForwardStep _step;

    public ForwardStepTests()
    {
        var options = Options.Create(new GatewayOptions { Forwarding = { MaxRequestBodyBytes = 1000 } });
        _invoker = new BackendInvoker(options);
        _states = new BackendStateRegistry(options, _time);
        _step = new ForwardStep(_forwarder, _invoker, new GatewayTransformer(options, Options.Create(new AuthenticationOptions())),
            options, _time, NullLogger<ForwardStep>.Instance, _states);
    }

    public void Dispose() => _invoker.Dispose();

    [Fact]
    public async Task InvokeAsync_DeclaredBodyOverTheLimit_Fails413WithoutCallingTheBackend()
    {
        var context = Request("POST", "/orders");
        context.Request.ContentLength = 1001;

        var result = await _step.InvokeAsync(context, ForwardingFeature());

        Assert.Equal(413, result.Error?.Status);
        Assert.Equal(0, _forwarder.Calls);
    }

    [Fact]
    public async Task InvokeAsync_RouteDeadlinePassedBeforeForwarding_FailsWithoutCallingTheBackend()
    {
        var feature = ForwardingFeature();
        _time.Advance(TimeSpan.FromSeconds(60));

        var result = await _step.InvokeAsync(Request("GET", "/orders"), feature);

        Assert.Same(GatewayError.RequestDeadlineExceeded, result.Error);
        Assert.Equal(0, _forwarder.Calls);
    }

    [Fact]
    public async Task InvokeAsync_BackendAnswers_AnswersWithoutProblemAndDisarmsTheDeadline()
    {
        var feature = ForwardingFeature();

        var result = await _step.InvokeAsync(Request("GET", "/orders"), feature);

        Assert.True(result.Ended);
        Assert.Null(result.Error);
        Assert.Equal(1, _forwarder.Calls);
        Assert.Equal("http://orders-1.test/", _forwarder.Destination);
        Assert.Equal(TimeSpan.FromSeconds(30), _forwarder.ActivityTimeout);
        Assert.True(_forwarder.HadDeadline);
        Assert.Null(feature.Deadline);
        Assert.Null(feature.ErrorCode);
    }

    [Fact]
    public async Task InvokeAsync_ClientWentAway_AnswersWithoutProblemAndRecordsClientAborted()
    {
        var feature = ForwardingFeature();
        _forwarder.Answer = ForwarderError.RequestCanceled;

        var result = await _step.InvokeAsync(Request("GET", "/orders"), feature);

        Assert.True(result.Ended);
        Assert.Null(result.Error);
        Assert.Equal("client_aborted", feature.ErrorCode);
    }

    [Fact]
    public async Task InvokeAsync_BackendUnreachable_FailsWithTheMappedProblem()
    {
        _forwarder.Answer = ForwarderError.Request;

        var result = await _step.InvokeAsync(Request("GET", "/orders"), ForwardingFeature());

        Assert.Equal(502, result.Error?.Status);
    }

    [Fact]
    public async Task InvokeAsync_BackendAnswers_CountsTheCallInFlightAndRecordsItsLatency()
    {
        var feature = ForwardingFeature();
        var state = _states.Get(feature.SelectedBackend);
        var inFlightDuringTheCall = -1;
        _forwarder.During = context =>
        {
            inFlightDuringTheCall = state.InFlight;
            _time.Advance(TimeSpan.FromMilliseconds(40));
            context.Features.Set<IHttpResponseFeature>(new StartedResponse());
        };

        await _step.InvokeAsync(Request("GET", "/orders"), feature);

        Assert.Equal(1, inFlightDuringTheCall);
        Assert.Equal(0, state.InFlight);
        Assert.Equal(40, state.LatencyMs);
    }

    [Fact]
    public async Task InvokeAsync_BackendUnreachable_EndsTheCallWithoutALatencySample()
    {
        var feature = ForwardingFeature();
        var state = _states.Get(feature.SelectedBackend);
        _forwarder.Answer = ForwarderError.Request;
        _forwarder.During = _ => _time.Advance(TimeSpan.FromMilliseconds(3));

        await _step.InvokeAsync(Request("GET", "/orders"), feature);

        // A refused connection is fast; counting it would make a dead backend look like the fastest.
        Assert.Equal(0, state.InFlight);
        Assert.Null(state.LatencyMs);
    }

    private GatewayRequestFeature ForwardingFeature() =>
        new(GatewaySnapshot.Empty) { StartedAt = _time.GetTimestamp(), Route = Route("/orders"), Backend = Backend("orders-1") };

    /// <summary>Stands in for YARP: records the call and answers a fixed <see cref="ForwarderError"/>.</summary>
    private sealed class FakeForwarder : IHttpForwarder
    {
        public ForwarderError Answer { get; set; } = ForwarderError.None;

        public int Calls { get; private set; }

        public string? Destination { get; private set; }

        public TimeSpan? ActivityTimeout { get; private set; }

        public bool HadDeadline { get; private set; }

        /// <summary>What happens while the backend is being called (time passing, the response starting).</summary>
        public Action<HttpContext>? During { get; set; }

        public ValueTask<ForwarderError> SendAsync(HttpContext context, string destinationPrefix, HttpMessageInvoker httpClient,
            ForwarderRequestConfig requestConfig, HttpTransformer transformer) =>
            SendAsync(context, destinationPrefix, httpClient, requestConfig, transformer, CancellationToken.None);

        public ValueTask<ForwarderError> SendAsync(HttpContext context, string destinationPrefix, HttpMessageInvoker httpClient,
            ForwarderRequestConfig requestConfig, HttpTransformer transformer, CancellationToken cancellationToken)
        {
            Calls++;
            Destination = destinationPrefix;
            ActivityTimeout = requestConfig.ActivityTimeout;
            HadDeadline = cancellationToken.CanBeCanceled;
            During?.Invoke(context);
            return ValueTask.FromResult(Answer);
        }
    }

    /// <summary>A response whose headers have been sent, as after a backend answered.</summary>
    private sealed class StartedResponse : HttpResponseFeature
    {
        public override bool HasStarted => true;
    }
}
