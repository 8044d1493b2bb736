using System.Diagnostics;
using System.Globalization;
using FunctionsGateway.Authentication;
using FunctionsGateway.Configuration;
using FunctionsGateway.Forwarding;
using FunctionsGateway.Routing;
using FunctionsGateway.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace FunctionsGateway.Pipeline;

/// <summary>
/// The gateway's request path, the same in every host:
/// match route → authenticate → (rate-limit, a later issue) → pick backend → forward → response.
/// Hosts hand every request to <see cref="HandleAsync"/>.
/// </summary>
public sealed partial class GatewayRequestHandler
{
    private readonly GatewaySnapshotProvider _snapshots;
    private readonly IHttpForwarder _forwarder;
    private readonly BackendInvoker _invoker;
    private readonly HttpTransformer _transformer;
    private readonly RequestDeadlines _deadlines;
    private readonly GatewayAuthenticator _authenticator;
    private readonly string _realm;
    private readonly string _apiKeyHeader;
    private readonly TimeProvider _time;
    private readonly ILogger _accessLog;
    private readonly ILogger _logger;
    private readonly TimeSpan _initialLoadWait;
    private readonly GatewayError _notLoaded;
    private readonly long _maxRequestBodyBytes;
    private readonly RequestPathGuard _pathGuard;

    internal GatewayRequestHandler(
        GatewaySnapshotProvider snapshots,
        IHttpForwarder forwarder,
        BackendInvoker invoker,
        GatewayTransformer transformer,
        GatewayAuthenticator authenticator,
        IOptions<GatewayOptions> options,
        IOptions<AuthenticationOptions> authentication,
        TimeProvider time,
        ILoggerFactory loggers)
    {
        _authenticator = authenticator;
        _realm = authentication.Value.Realm;
        _apiKeyHeader = authentication.Value.ApiKeyHeader;
        _snapshots = snapshots;
        _forwarder = forwarder;
        _invoker = invoker;
        _transformer = new DeadlineTransformer(transformer);
        _deadlines = new RequestDeadlines(time);
        _time = time;
        _accessLog = loggers.CreateLogger("FunctionsGateway.AccessLog");
        _logger = loggers.CreateLogger<GatewayRequestHandler>();
        _initialLoadWait = TimeSpan.FromSeconds(options.Value.Configuration.InitialLoadWaitSeconds);
        _notLoaded = GatewayError.ConfigurationNotLoaded.WithHeader("Retry-After",
            options.Value.Configuration.RefreshIntervalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _maxRequestBodyBytes = options.Value.Forwarding.MaxRequestBodyBytes;
        _pathGuard = new RequestPathGuard(options.Value.Paths);
    }

    /// <summary>Handles one request end to end. Never throws for a client's or a backend's failure.</summary>
    public async Task HandleAsync(HttpContext context)
    {
        var started = _time.GetTimestamp();
        GatewayRequestFeature? feature = null;
        try
        {
            if (!_snapshots.IsLoaded && !await _snapshots.WaitForFirstLoadAsync(_initialLoadWait, _time, context.RequestAborted).ConfigureAwait(false))
            {
                await FailAsync(context, null, _notLoaded).ConfigureAwait(false);
                return;
            }

            feature = new GatewayRequestFeature(_snapshots.Current) { StartedAt = started };
            context.Features.Set(feature);
            await RouteAsync(context, feature).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
            if (feature is not null)
            {
                feature.ErrorCode = "client_aborted";
            }
        }
        finally
        {
            WriteAccessLog(context, feature, _time.GetElapsedTime(started));
        }
    }

    private async Task RouteAsync(HttpContext context, GatewayRequestFeature feature)
    {
        // Before matching: a path a backend could read otherwise than the matcher never reaches one (docs/routes.md).
        if (_pathGuard.Check(context.Request) is { } invalidPath)
        {
            await FailAsync(context, feature, invalidPath).ConfigureAwait(false);
            return;
        }

        var match = feature.Snapshot.Matcher.Match(context.Request);
        if (match.Route is not { } route)
        {
            // A refusal forwards nothing, also when a less protected route would have taken the request (RouteMatcher).
            await FailAsync(context, feature, match.Refusal == RouteRefusal.MethodNotAllowed
                ? GatewayError.MethodNotAllowed(match.Allow)
                : GatewayError.RouteNotFound).ConfigureAwait(false);
            return;
        }

        feature.Route = route;
        var auth = await _authenticator.AuthenticateAsync(context, route.Auth, context.RequestAborted).ConfigureAwait(false);
        if (!auth.Succeeded)
        {
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                // A flood of bad credentials must not cost a formatted string per request when nobody reads it.
                Log.AuthenticationRefused(_logger, route.Id.Key, auth.ToString());
            }
            var refusal = GatewayError.Unauthorized(
                auth.StatusCode,
                auth.ErrorCode ?? (auth.Outcome == AuthOutcome.Unavailable ? "auth_unavailable" : "unauthorized"),
                auth.Description,
                auth.Outcome == AuthOutcome.Unavailable ? default : AuthChallenge.Build(auth, route.Auth, _realm, _apiKeyHeader));
            await FailAsync(context, feature, auth.RetryAfterSeconds is { } retryAfter
                ? refusal.WithHeader("Retry-After", retryAfter.ToString(CultureInfo.InvariantCulture))
                : refusal).ConfigureAwait(false);
            return;
        }

        feature.Identity = auth.Identity;
        switch (route.Target)
        {
            case StaticResponseTarget response:
                await WriteStaticResponseAsync(context, response).ConfigureAwait(false);
                return;
            case PoolTarget target:
                await ForwardAsync(context, feature, route, target).ConfigureAwait(false);
                return;
            default:
                throw new InvalidOperationException($"Unknown route target {route.Target.GetType().Name}.");
        }
    }

    private async Task ForwardAsync(HttpContext context, GatewayRequestFeature feature, RouteDefinition route, PoolTarget target)
    {
        var backend = feature.Snapshot.Pools.TryGetValue(target.PoolName, out var pool)
            ? BackendSelector.Select(pool, Random.Shared.NextDouble())
            : null;
        if (backend is null)
        {
            await FailAsync(context, feature, GatewayError.NoBackend(target.PoolName)).ConfigureAwait(false);
            return;
        }

        feature.Backend = backend;
        if (context.Request.ContentLength > _maxRequestBodyBytes)
        {
            await FailAsync(context, feature, GatewayError.RequestTooLarge(_maxRequestBodyBytes)).ConfigureAwait(false);
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeLimit)
        {
            sizeLimit.MaxRequestBodySize = _maxRequestBodyBytes;
        }

        Activity.Current?.SetTag("gateway.route", route.Id.Key);
        Activity.Current?.SetTag("gateway.backend", backend.Id.Key);
        var remaining = route.RequestTimeout - _time.GetElapsedTime(feature.StartedAt);
        if (remaining <= TimeSpan.Zero)
        {
            await FailAsync(context, feature, GatewayError.RequestDeadlineExceeded).ConfigureAwait(false);
            return;
        }

        var deadline = _deadlines.Start(remaining);
        feature.Deadline = deadline;
        ForwarderError error;
        bool deadlinePassed;
        try
        {
            error = await _forwarder.SendAsync(context, backend.Url.AbsoluteUri, _invoker.Invoker, RequestConfig(route.Timeout), _transformer, deadline.Token).ConfigureAwait(false);
        }
        finally
        {
            feature.Deadline = null;
            deadlinePassed = deadline.IsCancellationRequested;
            _deadlines.Return(deadline);
        }

        if (error == ForwarderError.None)
        {
            return;
        }

        if (deadlinePassed && !context.RequestAborted.IsCancellationRequested)
        {
            // YARP reports its cancelled call as the client's abort; it was the deadline. Written after the
            // response started, the error aborts the connection instead (ProblemDetailsWriter).
            Log.DeadlinePassed(_logger, route.Id.ToString(), route.RequestTimeout.TotalSeconds, error);
            await FailAsync(context, feature, GatewayError.RequestDeadlineExceeded).ConfigureAwait(false);
            return;
        }

        var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
        if (ForwarderErrorMapper.IsClientAbort(error))
        {
            feature.ErrorCode = "client_aborted";
            Log.ClientAborted(_logger, route.Id.Key, error);
            return;
        }

        var answer = ForwarderErrorMapper.Map(error, exception, _maxRequestBodyBytes) ?? GatewayError.BackendUnreachable;
        Log.ForwardFailed(_logger, route.Id.ToString(), backend.Url.AbsoluteUri, error, answer.Code, exception?.Message);
        await FailAsync(context, feature, answer).ConfigureAwait(false);
    }

    // Timeouts are whole seconds within a small range, so one config per value serves every request without allocating.
    private static readonly ForwarderRequestConfig[] RequestConfigs = Enumerable.Range(0, RouteRowValidator.MaxTimeoutSeconds + 1)
        .Select(seconds => new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromSeconds(seconds) })
        .ToArray();

    private static ForwarderRequestConfig RequestConfig(TimeSpan timeout) =>
        timeout.Ticks % TimeSpan.TicksPerSecond == 0 && timeout.TotalSeconds is >= 1 and <= RouteRowValidator.MaxTimeoutSeconds
            ? RequestConfigs[(int)timeout.TotalSeconds]
            : new ForwarderRequestConfig { ActivityTimeout = timeout };

    private static async Task WriteStaticResponseAsync(HttpContext context, StaticResponseTarget response)
    {
        context.Response.StatusCode = response.Status;
        if (response.Body.Length == 0)
        {
            return;
        }

        context.Response.ContentType = response.ContentType;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await context.Response.WriteAsync(response.Body, context.RequestAborted).ConfigureAwait(false);
        }
    }

    private static Task FailAsync(HttpContext context, GatewayRequestFeature? feature, GatewayError error)
    {
        if (feature is not null)
        {
            feature.ErrorCode = error.Code;
        }

        return ProblemDetailsWriter.WriteAsync(context, error);
    }

    private void WriteAccessLog(HttpContext context, GatewayRequestFeature? feature, TimeSpan elapsed)
    {
        var route = feature?.Route?.Id.Key ?? string.Empty;
        var backend = feature?.Backend?.Id.Key ?? string.Empty;
        var status = feature?.ErrorCode == "client_aborted" ? 499 : context.Response.StatusCode;
        var outcome = feature?.ErrorCode ?? (status < 500 ? "ok" : "backend_error");
        if (GatewayTelemetry.Requests.Enabled || GatewayTelemetry.RequestDuration.Enabled)
        {
            var tags = new TagList { { "route", route }, { "backend", backend }, { "status_code", status }, { "outcome", outcome } };
            GatewayTelemetry.Requests.Add(1, tags);
            GatewayTelemetry.RequestDuration.Record(elapsed.TotalMilliseconds, tags);
        }

        if (_accessLog.IsEnabled(LogLevel.Information))
        {
            var ip = context.Connection.RemoteIpAddress;
            var identity = feature?.Identity;
            Log.AccessLog(_accessLog, context.Request.Method, context.Request.Path.Value ?? "/", route, backend, status, outcome,
                Math.Round(elapsed.TotalMilliseconds, 2), (ip is { IsIPv4MappedToIPv6: true } ? ip.MapToIPv4() : ip)?.ToString() ?? string.Empty,
                ProblemDetailsWriter.TraceId(context), identity?.Consumer ?? string.Empty, identity?.Subject ?? string.Empty,
                identity is null ? string.Empty : IdentityHeaders.MethodName(identity.Method));
        }
    }

    private static partial class Log
    {
        // One event per request; never the query string, a token or a key.
        [LoggerMessage(700, LogLevel.Information,
            "{Method} {Path} → route {Route} backend {Backend}: {Status} {Outcome} in {LatencyMs} ms from {ClientIp} trace {TraceId} consumer {Consumer} subject {Subject} via {AuthMethod}",
            EventName = "AccessLog")]
        public static partial void AccessLog(ILogger logger, string method, string path, string route, string backend, int status,
            string outcome, double latencyMs, string clientIp, string traceId, string consumer, string subject, string authMethod);

        [LoggerMessage(230, LogLevel.Debug, "Route {Route} refused the caller: {Result}")]
        public static partial void AuthenticationRefused(ILogger logger, string route, string result);

        [LoggerMessage(400, LogLevel.Warning, "Forwarding for route {Route} to {Backend} failed with {ForwarderError}; answered {Code}. {Reason}")]
        public static partial void ForwardFailed(ILogger logger, string route, string backend, ForwarderError forwarderError, string code, string? reason);

        [LoggerMessage(420, LogLevel.Warning, "Route {Route} passed its deadline of {DeadlineSeconds} s before the response started ({ForwarderError}); the backend call was cancelled.")]
        public static partial void DeadlinePassed(ILogger logger, string route, double deadlineSeconds, ForwarderError forwarderError);

        [LoggerMessage(401, LogLevel.Debug, "The client went away during route {Route} ({ForwarderError}).")]
        public static partial void ClientAborted(ILogger logger, string route, ForwarderError forwarderError);
    }
}
