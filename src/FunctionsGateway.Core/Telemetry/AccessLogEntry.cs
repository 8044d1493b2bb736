using System.Diagnostics;
using System.Net;
using FunctionsGateway.Authentication;

namespace FunctionsGateway.Telemetry;

/// <summary>
/// One request's access log event as the request thread leaves it: references and numbers only, so nothing is
/// formatted on the request's path. <see cref="AccessLogWriter"/> turns it into text off the request thread.
/// </summary>
/// <param name="Method">The request method.</param>
/// <param name="Path">The request path, never the query string.</param>
/// <param name="Route">The route's row key, or empty.</param>
/// <param name="Backend">The backend's row key (the last attempt's), or empty.</param>
/// <param name="Status">The status sent, 499 when the client went away.</param>
/// <param name="Outcome">ok, backend_error or the gateway's error code.</param>
/// <param name="LatencyMs">Time from arrival to the end of the response.</param>
/// <param name="Client">The connection's remote address, or null.</param>
/// <param name="TraceId">The W3C trace id, default when the request had no activity.</param>
/// <param name="RequestId">The server's request id, used when there is no trace id.</param>
/// <param name="Identity">The caller, or null before authentication.</param>
internal readonly record struct AccessLogEntry(
    string Method,
    string Path,
    string Route,
    string Backend,
    int Status,
    string Outcome,
    double LatencyMs,
    IPAddress? Client,
    ActivityTraceId TraceId,
    string? RequestId,
    GatewayIdentity? Identity);
