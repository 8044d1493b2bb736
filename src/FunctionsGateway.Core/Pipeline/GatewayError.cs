using System.Collections.Immutable;
using Microsoft.Extensions.Primitives;

namespace FunctionsGateway.Pipeline;

/// <summary>
/// A failure the gateway answers itself, with the HTTP status and a stable <see cref="Code"/> clients and
/// alerts can rely on. Written as RFC 9457 problem+json by <see cref="ProblemDetailsWriter"/>.
/// </summary>
/// <param name="Status">The HTTP status code.</param>
/// <param name="Code">A stable, machine-readable code, such as <c>route_not_found</c>.</param>
/// <param name="Title">A short, fixed summary of the problem type.</param>
/// <param name="Detail">What happened to this request and what the caller can do.</param>
public sealed record GatewayError(int Status, string Code, string Title, string Detail)
{
    /// <summary>
    /// Response headers sent with the problem, in order: <c>WWW-Authenticate</c> challenges on a 401 or 403,
    /// <c>Allow</c> on a 405, <c>Retry-After</c> on a 429 or 503. Empty for most errors.
    /// </summary>
    public ImmutableArray<KeyValuePair<string, StringValues>> Headers { get; init; } = [];

    /// <summary>This error with one more response header.</summary>
    public GatewayError WithHeader(string name, StringValues value) => this with { Headers = Headers.Add(new(name, value)) };

    /// <summary>No route matches the request.</summary>
    public static GatewayError RouteNotFound { get; } = new(404, "route_not_found", "No route matches the request",
        "No route of this gateway matches the request's method, host, path and headers.");

    /// <summary>
    /// A route matches the request's path, host and headers, but not its method; <paramref name="allow"/> (such as
    /// <c>GET, POST</c>) is sent as the <c>Allow</c> header (RFC 9110 §15.5.6).
    /// </summary>
    public static GatewayError MethodNotAllowed(string allow) => new GatewayError(405, "method_not_allowed", "Method not allowed",
        $"The route for this path does not accept the request's method; use one of: {allow}.").WithHeader("Allow", allow);

    /// <summary>The routes have not been loaded yet (cold start with storage unreachable).</summary>
    public static GatewayError ConfigurationNotLoaded { get; } = new(503, "configuration_not_loaded", "The gateway is starting",
        "The gateway has not loaded its routes yet; retry shortly.");

    /// <summary>The route's pool has no backend that can take traffic.</summary>
    public static GatewayError NoBackend(string pool) => new(503, "no_backend", "No backend available",
        $"The pool '{pool}' has no enabled backend to send the request to.");

    /// <summary>The backend could not be reached.</summary>
    public static GatewayError BackendUnreachable { get; } = new(502, "backend_unreachable", "Backend unreachable",
        "The gateway could not connect to the backend, or the backend closed the connection.");

    /// <summary>The backend sent something that is not a valid HTTP response.</summary>
    public static GatewayError BackendInvalidResponse { get; } = new(502, "backend_invalid_response", "Invalid backend response",
        "The backend's response could not be read.");

    /// <summary>The backend did not answer in time.</summary>
    public static GatewayError BackendTimeout { get; } = new(504, "backend_timeout", "Backend timeout",
        "The backend did not answer within the route's timeout.");

    /// <summary>The route's deadline (RequestTimeoutSeconds) passed before the response could start.</summary>
    public static GatewayError RequestDeadlineExceeded { get; } = new(504, "request_deadline_exceeded", "Request deadline exceeded",
        "The request did not get a response within the route's deadline (reading the request body included); the backend call was cancelled.");

    /// <summary>The request body is larger than allowed.</summary>
    public static GatewayError RequestTooLarge(long limit) => new(413, "request_too_large", "Request body too large",
        $"The request body exceeds the limit of {limit} bytes.");

    /// <summary>
    /// The caller may not use the route: 401/403 (or 400 for a malformed credential, 429 for an address that failed
    /// too often, 503 when credentials cannot be checked).
    /// </summary>
    public static GatewayError Unauthorized(int status, string code, string detail, StringValues challenge) => new(status, code, status switch
    {
        400 => "Malformed credentials",
        403 => "Insufficient scope",
        429 => "Too many failed attempts",
        503 => "Credentials cannot be checked",
        _ => "Unauthorized",
    }, detail)
    {
        Headers = challenge.Count == 0 ? [] : [new("WWW-Authenticate", challenge)],
    };

    /// <summary>The request path could be read differently by a backend than by the gateway (dot segments, encoded slashes, ...).</summary>
    public static GatewayError InvalidPath(string detail) => new(400, "invalid_path", "Invalid request path", detail);

    /// <summary>The caller has used up one of the route's rate limits (docs/rate-limiting.md); <c>Retry-After</c> says when to try again.</summary>
    public static GatewayError TooManyRequests { get; } = new(429, "rate_limited", "Too many requests",
        "The route's rate limit for this caller is used up; retry after the number of seconds in Retry-After.");

    /// <summary>The rate-limit counters cannot be reached and the route fails closed (<c>RateLimitFailure=closed</c>).</summary>
    public static GatewayError RateLimitUnavailable { get; } = new(503, "rate_limit_unavailable", "Rate limit cannot be checked",
        "The route's rate limit cannot be checked right now and the route refuses requests until it can; retry shortly.");

    /// <summary>The request could not be read or forwarded as sent.</summary>
    public static GatewayError BadRequest(string detail) => new(400, "bad_request", "Malformed request", detail);

    /// <summary>A fault the route's <c>FaultAbortPercent</c> injected on purpose; marked so chaos tests can tell it from a real failure.</summary>
    public static GatewayError FaultInjected(int status) => new GatewayError(status, "fault_injected", "Injected fault",
        "The route injects faults for testing (FaultAbortPercent) and this request was chosen; the backend was not called.").WithHeader("X-Gateway-Fault", "abort");
}
