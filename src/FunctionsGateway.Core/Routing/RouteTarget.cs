namespace FunctionsGateway.Routing;

/// <summary>What a matched route does: forward to a pool, or answer by itself.</summary>
public abstract record RouteTarget;

/// <summary>
/// Forward to a pool of backends. A route's <c>Backend</c> shorthand becomes a one-backend pool
/// with a name no <c>Backends</c> row can have (PartitionKeys cannot contain '/').
/// </summary>
/// <param name="PoolName">The pool's name in the snapshot.</param>
public sealed record PoolTarget(string PoolName) : RouteTarget;

/// <summary>Answer with a fixed response: mocks, maintenance pages, degraded fallbacks.</summary>
/// <param name="Status">The HTTP status code (200–599: Kestrel cannot complete a 1xx response).</param>
/// <param name="Body">The body, possibly empty.</param>
/// <param name="ContentType">The content type of the body.</param>
public sealed record StaticResponseTarget(int Status, string Body, string ContentType) : RouteTarget;
