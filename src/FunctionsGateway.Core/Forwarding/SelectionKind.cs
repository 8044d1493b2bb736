namespace FunctionsGateway.Forwarding;

/// <summary>How a request's backend was chosen (the <c>selection</c> dimension of <c>gateway.backend.selections</c>).</summary>
internal enum SelectionKind
{
    /// <summary>Nothing could take the request: 503 <c>no_backend</c>.</summary>
    None = 0,

    /// <summary>A backend of the pool's best priority tier.</summary>
    Primary,

    /// <summary>A backend of a higher (backup) tier: no backend of a better tier could take the request.</summary>
    Backup,

    /// <summary>A backend of the route's <c>FallbackPool</c>: no backend of its own pool could take the request.</summary>
    FallbackPool,

    /// <summary>The route's static <c>Response*</c>: neither its pool nor its fallback pool had a backend.</summary>
    FallbackResponse,

    /// <summary>Every backend was out (unhealthy or circuit open) and the route had no fallback: one was chosen anyway.</summary>
    Panic,
}
