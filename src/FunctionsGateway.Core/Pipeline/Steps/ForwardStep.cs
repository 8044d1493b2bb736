using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using FunctionsGateway.Configuration;
using FunctionsGateway.Forwarding;
using FunctionsGateway.Routing;
using FunctionsGateway.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Yarp.ReverseProxy.Forwarder;

namespace FunctionsGateway.Pipeline.Steps;

/// <summary>
/// Sends the request to the selected backend with YARP's <see cref="IHttpForwarder"/> within the route's deadline and
/// streams the response back; always ends the request. A declared body over <c>MaxRequestBodyBytes</c> is 413
/// without a backend call; forwarding failures are mapped by <see cref="ForwarderErrorMapper"/> (400/413/502/504), a
/// passed deadline is 504 <c>request_deadline_exceeded</c>, a client that went away is logged as <c>client_aborted</c>.
/// Each attempt goes through its backend's circuit breaker (<see cref="BackendCircuitBreakers"/>); a failed attempt whose
/// answer has not reached the client is retried when <see cref="RetryDecider"/> allows it, after a jittered exponential
/// backoff (a Polly retry), each attempt a whole YARP call with its own idle timeout (<c>TimeoutSeconds</c>).
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
    private readonly int _retryBodyBufferBytes;
    private readonly BackendCircuitBreakers _breakers;
    private readonly IRetryBackendSource _backends;
    private readonly RetryDecider _decider;
    private readonly RetryBudgets _budgets;
    private readonly ResiliencePipeline<AttemptResult> _retry;
    private readonly ILogger _logger;
    private readonly Health.BackendStateRegistry _backendStates;

    public ForwardStep(
        IHttpForwarder forwarder,
        BackendInvoker invoker,
        GatewayTransformer transformer,
        IOptions<GatewayOptions> options,
        TimeProvider time,
        ILogger<ForwardStep> logger,
        Health.BackendStateRegistry backendStates,
        BackendCircuitBreakers? breakers = null,
        IRetryBackendSource? backends = null,
        RetryBudgets? budgets = null,
        RetryDecider? decider = null)
    {
        _backendStates = backendStates;
        _forwarder = forwarder;
        _invoker = invoker;
        _breakers = breakers ?? new BackendCircuitBreakers(options, time, NullLogger<BackendCircuitBreakers>.Instance);
        _backends = backends ?? new PolicyRetryBackendSource(new BackendSelectionPolicy(backendStates, time, new SharedRandomSource()), _breakers);
        _budgets = budgets ?? new RetryBudgets(options, time);
        _decider = decider ?? new RetryDecider(_backends, _breakers, _budgets, options, time, NullLogger<RetryDecider>.Instance);
        _transformer = new RetryingTransformer(new DeadlineTransformer(transformer), _decider, _breakers, time);
        _deadlines = new RequestDeadlines(time);
        _time = time;
        _maxRequestBodyBytes = options.Value.Forwarding.MaxRequestBodyBytes;
        _retryBodyBufferBytes = (int)Math.Min(options.Value.Forwarding.RetryBodyBufferBytes, _maxRequestBodyBytes);
        _retry = new ResiliencePipelineBuilder<AttemptResult> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<AttemptResult>
            {
                // The route's own Retries (at most this many) is enforced by RetryDecider, which also pays the budget.
                MaxRetryAttempts = RouteRowValidator.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(options.Value.Forwarding.RetryBackoffMilliseconds),
                MaxDelay = RetryDecider.MaximumBackoff,
                ShouldHandle = static args => new ValueTask<bool>(args.Outcome.Exception is null && args.Outcome.Result.Retry),
            })
            .Build();
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
            : ForwardAsync(context, feature, route, remaining);
    }

    // Pooled state machines: a forwarded request completes asynchronously, and these three would each box one per request.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<GatewayStepResult> ForwardAsync(HttpContext context, GatewayRequestFeature feature, RouteDefinition route, TimeSpan remaining)
    {
        _breakers.Observe(feature.Snapshot);
        if (route.Retries > 0)
        {
            _budgets.For(route).RecordRequest();
        }

        AvoidOpenBreaker(feature);
        var deadline = _deadlines.Start(remaining);
        feature.Deadline = deadline;
        var resilience = ResilienceContextPool.Shared.Get(deadline.Token);
        AttemptResult result;
        bool deadlinePassed;
        try
        {
            // The first attempt runs outside the retry pipeline, so a request that succeeds at once pays only for its breaker.
            result = await BufferBodyAsync(context, feature, route, deadline.Token).ConfigureAwait(false)
                ? await AttemptAsync(context, feature, resilience).ConfigureAwait(false)
                : new AttemptResult(AttemptKind.Cancelled, 0, ForwarderError.RequestBodyClient, Retry: false);
            if (result.Retry)
            {
                result = await RetriesAsync(context, feature, result, resilience).ConfigureAwait(false);
            }
        }
        finally
        {
            feature.Deadline = null;
            deadlinePassed = deadline.IsCancellationRequested;
            _deadlines.Return(deadline);
            ResilienceContextPool.Shared.Return(resilience);
        }

        return Answer(context, feature, route, result, deadlinePassed);
    }

    private GatewayStepResult Answer(HttpContext context, GatewayRequestFeature feature, RouteDefinition route, AttemptResult result, bool deadlinePassed)
    {
        if (result.Kind == AttemptKind.Answered)
        {
            return GatewayStepResult.Answered;
        }

        if (deadlinePassed && !context.RequestAborted.IsCancellationRequested)
        {
            // YARP reports its cancelled call as the client's abort; it was the deadline. Written after the
            // response started, the error aborts the connection instead (ProblemDetailsWriter).
            Log.DeadlinePassed(_logger, route.Id.ToString(), route.RequestTimeout.TotalSeconds, result.Error);
            return GatewayStepResult.Fail(GatewayError.RequestDeadlineExceeded);
        }

        var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
        if (result.Kind == AttemptKind.Cancelled && (ForwarderErrorMapper.IsClientAbort(result.Error) || context.RequestAborted.IsCancellationRequested))
        {
            feature.ErrorCode = "client_aborted";
            Log.ClientAborted(_logger, route.Id.Key, result.Error);
            return GatewayStepResult.Answered;
        }

        var answer = result.Kind switch
        {
            AttemptKind.ConnectFailure => GatewayError.BackendUnreachable,
            AttemptKind.Timeout => GatewayError.BackendTimeout,
            _ => ForwarderErrorMapper.Map(result.Error, exception, _maxRequestBodyBytes) ?? GatewayError.BackendUnreachable,
        };
        Log.ForwardFailed(_logger, route.Id.ToString(), feature.Backend?.Url.AbsoluteUri ?? string.Empty, result.Error, answer.Code, exception?.Message);
        return GatewayStepResult.Fail(answer);
    }

    private async ValueTask<AttemptResult> RetriesAsync(HttpContext context, GatewayRequestFeature feature, AttemptResult first, ResilienceContext resilience)
    {
        // The retry pipeline starts from the first attempt's result (handed back once), so Polly waits its backoff before the second.
        feature.Retry!.FirstResult = first;
        var outcome = await _retry.ExecuteOutcomeAsync(
            static (resilience, state) => state.Step.RetryAttemptAsync(state.Context, state.Feature, resilience),
            resilience,
            (Step: this, Context: context, Feature: feature)).ConfigureAwait(false);
        return outcome.Exception switch
        {
            null => outcome.Result,

            // The backoff was cut by the route's deadline.
            OperationCanceledException => new AttemptResult(AttemptKind.Cancelled, 0, ForwarderError.RequestCanceled, Retry: false),
            var exception => Rethrow(exception),
        };
    }

    private async ValueTask<Outcome<AttemptResult>> RetryAttemptAsync(HttpContext context, GatewayRequestFeature feature, ResilienceContext resilience)
    {
        if (feature.Retry is { FirstResult: { } first } state)
        {
            state.FirstResult = null;
            return Outcome.FromResult(first);
        }

        return Outcome.FromResult(await AttemptAsync(context, feature, resilience).ConfigureAwait(false));
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<AttemptResult> AttemptAsync(HttpContext context, GatewayRequestFeature feature, ResilienceContext resilience)
    {
        if (feature.Retry is { Next: { } next } state)
        {
            feature.Backend = next;
            state.Next = null;
            PrepareAnotherAttempt(context, state);
        }

        var backend = feature.SelectedBackend;
        for (var refusals = 0; ; refusals++)
        {
            var outcome = await _breakers.For(backend).Pipeline.ExecuteOutcomeAsync(
                static (resilience, state) => state.Step.SendAsync(state.Context, state.Feature, state.Backend, resilience.CancellationToken),
                resilience,
                (Step: this, Context: context, Feature: feature, Backend: backend)).ConfigureAwait(false);
            if (outcome.Exception is null)
            {
                return outcome.Result;
            }

            if (outcome.Exception is not BrokenCircuitException)
            {
                return Rethrow(outcome.Exception);
            }

            // The breaker refused: its one half-open trial is under way, or it has just opened. Another backend takes the
            // attempt when the pool has one; else it is sent anyway, as a pool whose every breaker is open is better
            // tried than refused.
            var other = refusals == 0 ? _backends.Next(feature, [backend]) : null;
            if (other is null || ReferenceEquals(other, backend))
            {
                return (await SendAsync(context, feature, backend, resilience.CancellationToken).ConfigureAwait(false)).Result;
            }

            backend = other;
            feature.Backend = other;
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    // One attempt: YARP's call to the backend. Every attempt counts in its backend's in-flight count and, when the
    // backend answered, its latency average (BackendState), which selection reads. One async method, not two: each
    // level of awaiting costs every forwarded request a state machine step when the backend answers.
    private async ValueTask<Outcome<AttemptResult>> SendAsync(HttpContext context, GatewayRequestFeature feature, BackendDefinition backend, CancellationToken cancellationToken)
    {
        var backendState = _backendStates.Get(backend);
        using var span = GatewayTracing.StartAttempt(context, feature, backend, ++feature.Attempts);
        var callStarted = backendState.StartCall();
        var responded = false;
        try
        {
            Activity.Current?.SetTag("gateway.backend", backend.Id.Key);
            var error = await _forwarder.SendAsync(context, backend.Url.AbsoluteUri, _invoker.Invoker, RequestConfig(feature.MatchedRoute.Timeout), _transformer, cancellationToken)
                .ConfigureAwait(false);
            var result = Result(context, feature, backend, error, cancellationToken);
            responded = result.Kind is AttemptKind.Answered or AttemptKind.Held;
            if (span is not null)
            {
                GatewayTracing.EndAttempt(span, result);
            }

            return Outcome.FromResult(result);
        }
        finally
        {
            backendState.EndCall(callStarted, responded);
        }
    }

    private AttemptResult Result(HttpContext context, GatewayRequestFeature feature, BackendDefinition backend, ForwarderError error, CancellationToken cancellationToken)
    {
        if (error == ForwarderError.None)
        {
            if (feature.Retry is { HeldStatus: > 0 } state)
            {
                var held = state.HeldStatus;
                state.HeldStatus = 0;
                return new AttemptResult(AttemptKind.Held, held, error, Retry: true);
            }

            return new AttemptResult(AttemptKind.Answered, context.Response.StatusCode, error, Retry: false);
        }

        var kind = Classify(error, context.Features.Get<IForwarderErrorFeature>()?.Exception, context, cancellationToken);
        var retry = !context.Response.HasStarted && !cancellationToken.IsCancellationRequested
            && _decider.TryRetry(context, feature, backend, kind, status: 0);
        return new AttemptResult(kind, 0, error, retry);
    }

    private static AttemptKind Classify(ForwarderError error, Exception? exception, HttpContext context, CancellationToken cancellationToken)
    {
        if (IsConnectFailure(exception) && !context.RequestAborted.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return AttemptKind.ConnectFailure;
        }

        return error switch
        {
            ForwarderError.RequestTimedOut => AttemptKind.Timeout,
            ForwarderError.Request or ForwarderError.ResponseHeaders when !context.RequestAborted.IsCancellationRequested => AttemptKind.BackendFailure,
            _ => AttemptKind.Cancelled,
        };
    }

    // No connection was made, so nothing was sent: refused, unreachable, the connect guard's refusal, or the connect
    // timeout (which SocketsHttpHandler reports as a cancellation caused by a TimeoutException).
    private static bool IsConnectFailure(Exception? exception) => exception switch
    {
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError, InnerException: SocketException or HttpRequestException } => true,
        OperationCanceledException { InnerException: TimeoutException } => true,
        _ => false,
    };

    private void AvoidOpenBreaker(GatewayRequestFeature feature)
    {
        var backend = feature.SelectedBackend;
        if (_breakers.IsOpen(backend) && _backends.Next(feature, [backend]) is { } other)
        {
            feature.Backend = other;
        }
    }

    // Reads a small body of a request that may be retried into memory, so each attempt can send it; false when the
    // client's body failed (the answer then follows from the cancellation or the client's abort).
    private async ValueTask<bool> BufferBodyAsync(HttpContext context, GatewayRequestFeature feature, RouteDefinition route, CancellationToken cancellationToken)
    {
        if (route.Retries == 0 || !RetryDecider.IsIdempotent(context.Request.Method) || !HasBody(context))
        {
            return true;
        }

        var length = context.Request.ContentLength;
        if (length is null || length > _retryBodyBufferBytes)
        {
            feature.Retry = new RetryState { Body = length is null ? RequestBodyReplay.UnknownLength : RequestBodyReplay.TooLarge };
            return true;
        }

        var buffer = new byte[length.Value];
        try
        {
            await context.Request.Body.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or BadHttpRequestException)
        {
            Log.BodyUnreadable(_logger, route.Id.Key, exception.Message);
            return false;
        }

        context.Request.Body = new MemoryStream(buffer, writable: false);
        feature.Retry = new RetryState { BufferedBody = buffer };
        return true;
    }

    private static bool HasBody(HttpContext context) =>
        context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody
        ?? (context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0);

    // The held answer or YARP's error left a status on the response that has not started; the next attempt starts clean.
    private static void PrepareAnotherAttempt(HttpContext context, RetryState state)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        if (context.Features.Get<IHttpResponseFeature>() is { } response)
        {
            response.ReasonPhrase = null;
        }

        context.Features.Set<IForwarderErrorFeature>(null);
        if (state.BufferedBody is { } body)
        {
            context.Request.Body = new MemoryStream(body, writable: false);
        }
    }

    private static ForwarderRequestConfig RequestConfig(TimeSpan timeout) =>
        timeout.Ticks % TimeSpan.TicksPerSecond == 0 && timeout.TotalSeconds is >= 1 and <= RouteRowValidator.MaxTimeoutSeconds
            ? RequestConfigs[(int)timeout.TotalSeconds]
            : new ForwarderRequestConfig { ActivityTimeout = timeout };

    private static AttemptResult Rethrow(Exception exception)
    {
        ExceptionDispatchInfo.Throw(exception);
        return default;
    }

    private static partial class Log
    {
        [LoggerMessage(400, LogLevel.Warning, "Forwarding for route {Route} to {Backend} failed with {ForwarderError}; answered {Code}. {Reason}")]
        public static partial void ForwardFailed(ILogger logger, string route, string backend, ForwarderError forwarderError, string code, string? reason);

        [LoggerMessage(401, LogLevel.Debug, "The client went away during route {Route} ({ForwarderError}).")]
        public static partial void ClientAborted(ILogger logger, string route, ForwarderError forwarderError);

        [LoggerMessage(402, LogLevel.Debug, "The request body of route {Route} could not be read before forwarding: {Reason}")]
        public static partial void BodyUnreadable(ILogger logger, string route, string reason);

        [LoggerMessage(420, LogLevel.Warning, "Route {Route} passed its deadline of {DeadlineSeconds} s before the response started ({ForwarderError}); the backend call was cancelled.")]
        public static partial void DeadlinePassed(ILogger logger, string route, double deadlineSeconds, ForwarderError forwarderError);
    }
}
