namespace FunctionsGateway.Routing;

/// <summary>
/// What <see cref="RouteMatcher"/> decided for a request: the route that serves it, or why none does. A value,
/// so a match allocates nothing; the <see cref="Allow"/> value was made when the matcher was built.
/// </summary>
internal readonly struct RouteMatch
{
    private RouteMatch(RouteDefinition? route, RouteRefusal refusal, string allow)
    {
        Route = route;
        Refusal = refusal;
        Allow = allow;
    }

    /// <summary>No route serves the request: answered 404.</summary>
    public static RouteMatch NotFound { get; } = new(null, RouteRefusal.NotFound, string.Empty);

    /// <summary>The route that serves the request, or null when it is refused.</summary>
    public RouteDefinition? Route { get; }

    /// <summary>Why no route serves the request; <see cref="RouteRefusal.None"/> when <see cref="Route"/> is set.</summary>
    public RouteRefusal Refusal { get; }

    /// <summary>For <see cref="RouteRefusal.MethodNotAllowed"/>, the <c>Allow</c> header value, such as <c>GET, POST</c>; otherwise empty.</summary>
    public string Allow { get; }

    /// <summary>The request is served by <paramref name="route"/>.</summary>
    public static RouteMatch Found(RouteDefinition route) => new(route, RouteRefusal.None, string.Empty);

    /// <summary>The request's path, host and headers match routes that allow only the methods in <paramref name="allow"/>.</summary>
    public static RouteMatch MethodNotAllowed(string allow) => new(null, RouteRefusal.MethodNotAllowed, allow);

    /// <inheritdoc />
    public override string ToString() => Refusal switch
    {
        RouteRefusal.None => Route!.Id.ToString(),
        RouteRefusal.MethodNotAllowed => $"405 (Allow: {Allow})",
        _ => "404",
    };
}
