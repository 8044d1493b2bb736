using System.Collections.Immutable;

namespace FunctionsGateway.Routing;

/// <summary>A named group of backends: every <c>Backends</c> row with the same PartitionKey.</summary>
/// <param name="Name">The pool's name (the PartitionKey).</param>
/// <param name="Backends">All valid backends of the pool, enabled or not.</param>
public sealed record PoolDefinition(string Name, ImmutableArray<BackendDefinition> Backends);
