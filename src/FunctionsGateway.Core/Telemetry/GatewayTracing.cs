using System.Diagnostics;
using System.Globalization;
using FunctionsGateway.Configuration;
using FunctionsGateway.Forwarding;
using FunctionsGateway.Pipeline;
using FunctionsGateway.Pipeline.Steps;
using FunctionsGateway.Routing;
using Microsoft.AspNetCore.Http;

namespace FunctionsGateway.Telemetry;

/// <summary>
/// The gateway's spans (docs/observability.md, Traces): one <c>gateway.request</c> per request, a child for
/// authentication and for rate limiting, and one client span per backend attempt. Every method returns or takes null
/// when nobody listens to the <c>FunctionsGateway</c> source, and tags are set only on spans being recorded, so tracing
/// costs a listener check per request when it is off.
/// </summary>
internal static class GatewayTracing
{
    /// <summary>The name of the span of the whole request.</summary>
    public const string RequestSpan = "gateway.request";

    /// <summary>
    /// Starts the request's span, a child of the host's request span (ASP.NET Core's, which carries the client's
    /// <c>traceparent</c>). Without one, the client's <c>traceparent</c> is read here, so the trace stays the client's.
    /// </summary>
    public static Activity? StartRequest(HttpContext context)
    {
        var source = GatewayTelemetry.ActivitySource;
        if (!source.HasListeners())
        {
            return null;
        }

        if (Activity.Current is null
            && ActivityContext.TryParse(context.Request.Headers.TraceParent.ToString(), context.Request.Headers.TraceState.ToString(), isRemote: true, out var remote))
        {
            return source.StartActivity(RequestSpan, ActivityKind.Internal, remote);
        }

        return source.StartActivity(RequestSpan, ActivityKind.Internal);
    }

    /// <summary>
    /// Tags the request's span with what the gateway decided, following the HTTP semantic conventions, and gives the
    /// host's server span its <c>http.route</c>.
    /// </summary>
    public static void EndRequest(Activity span, HttpContext context, GatewayRequestFeature? feature, int status, string outcome)
    {
        if (!span.IsAllDataRequested)
        {
            return;
        }

        var method = context.Request.Method;
        var route = feature?.Route;
        var template = route?.Path.Text;
        span.DisplayName = template is null ? method : string.Concat(method, " ", template);
        span.SetTag("http.request.method", method);
        span.SetTag("http.route", template);
        span.SetTag("http.response.status_code", status);
        span.SetTag("server.address", context.Request.Host.Host);
        span.SetTag("gateway.route", route?.Id.Key);
        span.SetTag("gateway.backend", feature?.Backend?.Id.Key);
        span.SetTag("gateway.consumer", feature?.Identity?.Consumer);
        span.SetTag("gateway.outcome", outcome);
        if (feature?.ErrorCode is { } code)
        {
            span.SetTag("error.type", code);
        }
        else if (status >= 500)
        {
            span.SetTag("error.type", status.ToString(CultureInfo.InvariantCulture));
        }

        // A server answering 4xx did its job; only 5xx marks the request failed (HTTP semantic conventions).
        if (status >= 500)
        {
            span.SetStatus(ActivityStatusCode.Error, outcome);
        }

        if (template is not null && span.Parent is { Kind: ActivityKind.Server } server)
        {
            server.SetTag("http.route", template);
        }
    }

    /// <summary>The span name of a step worth a span of its own (authentication, rate limiting), else null.</summary>
    public static string? StepSpanName(IGatewayStep step) => step switch
    {
        AuthenticateStep => "gateway.authenticate",
        RateLimitStep => "gateway.rate_limit",
        _ => null,
    };

    /// <summary>Starts a step's span under the request's span; null when the request has none or the step has no name.</summary>
    public static Activity? StartStep(Activity? request, string? name) =>
        request is null || name is null ? null : GatewayTelemetry.ActivitySource.StartActivity(name, ActivityKind.Internal);

    /// <summary>Tags a step's span with its result: <c>gateway.outcome</c> (ok or the error code) and, after authentication, the caller.</summary>
    public static void EndStep(Activity span, GatewayStepResult result, GatewayRequestFeature feature)
    {
        if (!span.IsAllDataRequested)
        {
            return;
        }

        var code = result.Error?.Code;
        span.SetTag("gateway.outcome", code ?? "ok");
        if (code is not null)
        {
            span.SetTag("error.type", code);
        }

        if (feature.Identity is { } identity)
        {
            span.SetTag("gateway.consumer", identity.Consumer);
            span.SetTag("gateway.auth_method", Authentication.IdentityHeaders.MethodName(identity.Method));
        }
    }

    /// <summary>
    /// Starts the client span of one backend attempt (named by the method, as HTTP client spans are); the backend call
    /// YARP makes runs under it, so the <c>traceparent</c> the backend receives names this attempt.
    /// </summary>
    public static Activity? StartAttempt(HttpContext context, GatewayRequestFeature feature, BackendDefinition backend, int attempt)
    {
        var span = GatewayTelemetry.ActivitySource.StartActivity(context.Request.Method, ActivityKind.Client);
        if (span is not { IsAllDataRequested: true })
        {
            return span;
        }

        var url = backend.Url;
        span.SetTag("http.request.method", context.Request.Method);
        span.SetTag("server.address", url.Host);
        span.SetTag("server.port", url.Port);
        span.SetTag("url.full", SecretRedactor.Redact(DestinationAddress.Build(url.AbsoluteUri, context.Request, feature.Route).OriginalString));
        span.SetTag("gateway.backend", backend.Id.Key);
        span.SetTag("gateway.attempt", attempt);
        if (attempt > 1)
        {
            span.SetTag("http.request.resend_count", attempt - 1);
        }

        return span;
    }

    /// <summary>Tags an attempt's span with its answer or failure and whether it is retried.</summary>
    public static void EndAttempt(Activity span, AttemptResult result)
    {
        if (!span.IsAllDataRequested)
        {
            return;
        }

        if (result.Status > 0)
        {
            span.SetTag("http.response.status_code", result.Status);
        }

        var failure = result.Kind switch
        {
            AttemptKind.ConnectFailure => "connect_failure",
            AttemptKind.Timeout => "timeout",
            AttemptKind.BackendFailure => "backend_failure",
            AttemptKind.Cancelled => "cancelled",
            _ => result.Status >= 500 ? result.Status.ToString(CultureInfo.InvariantCulture) : null,
        };
        if (failure is not null)
        {
            span.SetTag("error.type", failure);
            span.SetStatus(ActivityStatusCode.Error, failure);
        }

        span.SetTag("gateway.retried", result.Retry);
    }
}
