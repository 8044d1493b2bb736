namespace FunctionsGateway.Routing;

/// <summary>Why <see cref="RouteMatcher"/> found no route to serve a request.</summary>
internal enum RouteRefusal
{
    /// <summary>A route was found: nothing was refused.</summary>
    None,

    /// <summary>
    /// No route serves the request: no route's path matches, or the routes whose path matches turn it away
    /// for its host or headers, or the only route that would take it is less protected than a route that turned
    /// it away. Answered 404.
    /// </summary>
    NotFound,

    /// <summary>
    /// A route whose path, host and headers match the request exists, but not for the request's method, and no
    /// route at least as protected takes it. Answered 405 with <see cref="RouteMatch.Allow"/>.
    /// </summary>
    MethodNotAllowed,
}
