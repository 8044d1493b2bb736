using Yarp.ReverseProxy.Forwarder;

namespace FunctionsGateway.Forwarding;

/// <summary>How one attempt ended, and whether the request goes on to another one.</summary>
/// <param name="Kind">How it ended.</param>
/// <param name="Status">The backend's status when it answered, else 0.</param>
/// <param name="Error">YARP's error for the attempt.</param>
/// <param name="Retry">True when a retry was decided (and paid for from the route's budget).</param>
internal readonly record struct AttemptResult(AttemptKind Kind, int Status, ForwarderError Error, bool Retry)
{
    /// <summary>True when the attempt counts against the backend's circuit breaker: no connection, silence, a broken answer, or 5xx.</summary>
    public bool IsBackendFailure => Kind is AttemptKind.ConnectFailure or AttemptKind.Timeout or AttemptKind.BackendFailure
        || (Kind is AttemptKind.Answered or AttemptKind.Held && Status >= 500);
}
