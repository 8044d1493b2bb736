using FunctionsGateway.Authentication;
using FunctionsGateway.Configuration;
using FunctionsGateway.Forwarding;
using FunctionsGateway.Pipeline;
using FunctionsGateway.Pipeline.Steps;
using FunctionsGateway.Routing;
using Microsoft.AspNetCore.Http;
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
    private readonly ForwardStep _step;

    public ForwardStepTests()
    {
        var options = Options.Create(new GatewayOptions { Forwarding = { MaxRequestBodyBytes = 1000 } });
        _invoker = new BackendInvoker(options);
        _step = new ForwardStep(_forwarder, _invoker, new GatewayTransformer(options, Options.Create(new AuthenticationOptions())),
            options, _time, NullLogger<ForwardStep>.Instance);
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
            return ValueTask.FromResult(Answer);
        }
    }
}
