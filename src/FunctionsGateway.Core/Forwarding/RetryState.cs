using FunctionsGateway.Routing;

namespace FunctionsGateway.Forwarding;

/// <summary>
/// One request's retries, made only when the request needs one (a body to keep track of, or a failed attempt), so a
/// request that succeeds at once without a body allocates none.
/// </summary>
internal sealed class RetryState
{
    /// <summary>Whether the body can be sent again.</summary>
    public RequestBodyReplay Body { get; set; }

    /// <summary>The body read into memory, when <see cref="Body"/> is replayable and there is one.</summary>
    public byte[]? BufferedBody { get; set; }

    /// <summary>The backends already tried, in order.</summary>
    public List<BackendDefinition> Tried { get; } = new(capacity: 3);

    /// <summary>The retries decided so far.</summary>
    public int Retries { get; set; }

    /// <summary>The backend the next attempt goes to, once a retry has been decided.</summary>
    public BackendDefinition? Next { get; set; }

    /// <summary>The first attempt's result, handed to the retry pipeline so it starts with a backoff.</summary>
    public AttemptResult? FirstResult { get; set; }

    /// <summary>The status of a backend answer held back for a retry (502, 503, 504), else 0.</summary>
    public int HeldStatus { get; set; }
}
