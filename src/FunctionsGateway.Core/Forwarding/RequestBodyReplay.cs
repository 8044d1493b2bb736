namespace FunctionsGateway.Forwarding;

/// <summary>Whether a request's body can be sent again by a retry after a backend has read it.</summary>
internal enum RequestBodyReplay
{
    /// <summary>No body, or it was read into memory before the first attempt (<c>RetryBodyBufferBytes</c>).</summary>
    Replayable,

    /// <summary>Its <c>Content-Length</c> is over <c>RetryBodyBufferBytes</c>: it streams, and is not retried once sent.</summary>
    TooLarge,

    /// <summary>It is chunked, of unknown length: it streams, and is not retried once sent.</summary>
    UnknownLength,
}
