namespace FunctionsGateway.OperatorConsole;

/// <summary>A request the gateway refused or that failed, as the console lists it.</summary>
/// <param name="Sequence">Its place in the order failures were recorded.</param>
/// <param name="At">When it completed.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The path (never the query string), cut to <see cref="RecentFailures.MaxPathLength"/> characters.</param>
/// <param name="Route">The route's row key, or empty when none matched.</param>
/// <param name="Backend">The backend's row key, or empty when none was chosen.</param>
/// <param name="Status">The status sent (499 when the client went away).</param>
/// <param name="Outcome">The gateway's error code, or <c>backend_error</c> for a backend's 5xx.</param>
/// <param name="Consumer">The consumer id, or the client address of an anonymous caller.</param>
/// <param name="ElapsedMs">How long it took.</param>
/// <param name="TraceId">The W3C trace id, or the server's request id without tracing: the key into the logs.</param>
internal sealed record RecentFailure(
    long Sequence, DateTimeOffset At, string Method, string Path, string Route, string Backend, int Status, string Outcome,
    string Consumer, double ElapsedMs, string TraceId);
