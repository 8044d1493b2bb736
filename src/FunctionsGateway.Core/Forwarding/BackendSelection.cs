using FunctionsGateway.Routing;

namespace FunctionsGateway.Forwarding;

/// <summary>A selection's outcome: the backend (null for <see cref="SelectionKind.None"/> and <see cref="SelectionKind.FallbackResponse"/>) and how it was chosen.</summary>
/// <param name="Backend">The chosen backend.</param>
/// <param name="Kind">How it was chosen.</param>
/// <param name="Pool">The pool it was chosen from (the fallback pool for <see cref="SelectionKind.FallbackPool"/>).</param>
internal readonly record struct BackendSelection(BackendDefinition? Backend, SelectionKind Kind, string? Pool)
{
    public static BackendSelection None { get; } = new(null, SelectionKind.None, null);

    /// <summary>The metric and log name of <see cref="Kind"/>.</summary>
    public string KindName => Kind switch
    {
        SelectionKind.Primary => "primary",
        SelectionKind.Backup => "backup",
        SelectionKind.FallbackPool => "fallback_pool",
        SelectionKind.FallbackResponse => "fallback_response",
        SelectionKind.Panic => "panic",
        _ => "none",
    };
}
