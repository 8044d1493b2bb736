namespace FunctionsGateway.Forwarding;

/// <summary>How one attempt to send a request to a backend ended.</summary>
internal enum AttemptKind
{
    /// <summary>The backend answered and the answer went to the client (whatever its status).</summary>
    Answered,

    /// <summary>The backend answered 502, 503 or 504 and the answer was held back, because the request is retried.</summary>
    Held,

    /// <summary>No connection could be made: nothing was sent, the request body was not read.</summary>
    ConnectFailure,

    /// <summary>The backend was silent for the route's <c>TimeoutSeconds</c>.</summary>
    Timeout,

    /// <summary>Another failure of the backend (the connection closed, an invalid response).</summary>
    BackendFailure,

    /// <summary>The attempt was cancelled (the client went away or the route's deadline passed), or the client's body failed.</summary>
    Cancelled,
}
