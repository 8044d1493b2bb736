using FunctionsGateway.Routing;

namespace FunctionsGateway.Configuration;

/// <summary>A route that passed validation, with the one-backend pool its <c>Backend</c> shorthand stands for, if any.</summary>
/// <param name="Route">The route.</param>
/// <param name="InlinePool">The pool made from the route's <c>Backend</c> column, or null.</param>
internal sealed record ValidatedRoute(RouteDefinition Route, PoolDefinition? InlinePool);
