using System.Diagnostics;
using FunctionsGateway.Configuration;
using FunctionsGateway.Forwarding;
using FunctionsGateway.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace FunctionsGateway.Pipeline.Steps;

/// <summary>
/// Sends the request to the selected backend with YARP's <see cref="IHttpForwarder"/> within the route's deadline and
/// streams the response back; always ends the request. A declared body over <c>MaxRequestBodyBytes</c> is 413
/// without a backend call; forwarding failures are mapped by <see cref="ForwarderErrorMapper"/> (400/413/502/504), a
/// passed deadline is 504 <c>request_deadline_exceeded</c>, a client that went away is logged as <c>client_aborted</c>.
/// </summary>
internal sealed partial class ForwardStep : IGatewayStep
{
    // Timeouts are whole seconds within a small range, so one config per value serves every request without allocating.
    private static readonly ForwarderRequestConfig[] RequestConfigs = Enumerable.Range(0, RouteRowValidator.MaxTimeoutSeconds + 1)
        .Select(seconds => new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromSeconds(seconds) })
        .ToArray();

    private readonly IHttpForwarder _forwarder;
    private readonly BackendInvoker _invoker;
    private readonly HttpTransformer _transformer;
    private readonly RequestDeadlines _deadlines;
    private readonly TimeProvider _time;
    private readonly long _maxRequestBodyBytes;
    private readonly ILogger _logger;
    private readonly Health.BackendStateRegistry _backendStates;

    public ForwardStep(
        IHttpForwarder forwarder,
        BackendInvoker invoker,
        GatewayTransformer transformer,
        IOptions<GatewayOptions> options,
        TimeProvider time,
        ILogger<ForwardStep> logger,
        Health.BackendStateRegistry backendStates)
    {
        _backendStates = backendStates;
        _forwarder = forwarder;
        _invoker = invoker;
        _transformer = new DeadlineTransformer(transformer);
        _deadlines = new RequestDeadlines(time);
        _time = time;
        _maxRequestBodyBytes = options.Value.Forwarding.MaxRequestBodyBytes;
        _logger = logger;
    }

    public ValueTask<GatewayStepResult> InvokeAsync(HttpContext context, GatewayRequestFeature feature)
    {
        var route = feature.MatchedRoute;
        var backend = feature.SelectedBackend;
        if (context.Request.ContentLength > _maxRequestBodyBytes)
        {
            return GatewayStepResult.Fail(GatewayError.RequestTooLarge(_maxRequestBodyBytes));
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeLimit)
        {
            sizeLimit.MaxRequestBodySize = _maxRequestBodyBytes;
        }

        Activity.Current?.SetTag("gateway.route", route.Id.Key);
        Activity.Current?.SetTag("gateway.backend", backend.Id.Key);
        var remaining = route.RequestTimeout - _time.GetElapsedTime(feature.StartedAt);
        return remaining <= TimeSpan.Zero
            ? GatewayStepResult.Fail(GatewayError.RequestDeadlineExceeded)
            : ForwardAsync(context, feature, route, backend, remaining);
    }

    private async ValueTask<GatewayStepResult> ForwardAsync(
        HttpContext context, GatewayRequestFeature feature, RouteDefinition route, BackendDefinition backend, TimeSpan remaining)
    {
        var deadline = _deadlines.Start(remaining);
        feature.Deadline = deadline;
        ForwarderError error;
        bool deadlinePassed;
        var backendState = _backendStates.Get(backend);
        var callStarted = backendState.StartCall();
        try
        {
            error = await _forwarder.SendAsync(context, backend.Url.AbsoluteUri, _invoker.Invoker, RequestConfig(route.Timeout), _transformer, deadline.Token).ConfigureAwait(false);
        }
        finally
        {
            backendState.EndCall(callStarted, responded: context.Response.HasStarted);
            feature.Deadline = null;
            deadlinePassed = deadline.IsCancellationRequested;
            _deadlines.Return(deadline);
        }

        if (error == ForwarderError.None)
        {
            return GatewayStepResult.Answered;
        }

        if (deadlinePassed && !context.RequestAborted.IsCancellationRequested)
        {
            // YARP reports its cancelled call as the client's abort; it was the deadline. Written after the
            // response started, the error aborts the connection instead (ProblemDetailsWriter).
            Log.DeadlinePassed(_logger, route.Id.ToString(), route.RequestTimeout.TotalSeconds, error);
            return GatewayStepResult.Fail(GatewayError.RequestDeadlineExceeded);
        }

        var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
        if (ForwarderErrorMapper.IsClientAbort(error))
        {
            feature.ErrorCode = "client_aborted";
            Log.ClientAborted(_logger, route.Id.Key, error);
            return GatewayStepResult.Answered;
        }

        var answer = ForwarderErrorMapper.Map(error, exception, _maxRequestBodyBytes) ?? GatewayError.BackendUnreachable;
        Log.ForwardFailed(_logger, route.Id.ToString(), backend.Url.AbsoluteUri, error, answer.Code, exception?.Message);
        return GatewayStepResult.Fail(answer);
    }

    private static ForwarderRequestConfig RequestConfig(TimeSpan timeout) =>
        timeout.Ticks % TimeSpan.TicksPerSecond == 0 && timeout.TotalSeconds is >= 1 and <= RouteRowValidator.MaxTimeoutSeconds
            ? RequestConfigs[(int)timeout.TotalSeconds]
            : new ForwarderRequestConfig { ActivityTimeout = timeout };

    private static partial class Log
    {
        [LoggerMessage(400, LogLevel.Warning, "Forwarding for route {Route} to {Backend} failed with {ForwarderError}; answered {Code}. {Reason}")]
        public static partial void ForwardFailed(ILogger logger, string route, string backend, ForwarderError forwarderError, string code, string? reason);

        [LoggerMessage(401, LogLevel.Debug, "The client went away during route {Route} ({ForwarderError}).")]
        public static partial void ClientAborted(ILogger logger, string route, ForwarderError forwarderError);

        [LoggerMessage(420, LogLevel.Warning, "Route {Route} passed its deadline of {DeadlineSeconds} s before the response started ({ForwarderError}); the backend call was cancelled.")]
        public static partial void DeadlinePassed(ILogger logger, string route, double deadlineSeconds, ForwarderError forwarderError);
    }
}
