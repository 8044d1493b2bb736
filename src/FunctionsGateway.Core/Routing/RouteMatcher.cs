using Microsoft.AspNetCore.Http;

namespace FunctionsGateway.Routing;

// Interim linear matcher with the agreed API; the trie-based matcher replaces it.
internal sealed class RouteMatcher
{
    private readonly RouteDefinition[] _routes;

    public RouteMatcher(IEnumerable<RouteDefinition> routes) => _routes = routes.ToArray();

    public RouteDefinition? Match(HttpRequest request) =>
        Match(request.Method, request.Host.Host, request.Path.Value, request.Headers);

    public RouteDefinition? Match(string method, ReadOnlySpan<char> host, ReadOnlySpan<char> path, IHeaderDictionary headers)
    {
        var segments = path.ToString().Trim('/').Split('/', StringSplitOptions.None);
        if (segments is [""])
        {
            segments = [];
        }

        RouteDefinition? best = null;
        foreach (var route in _routes)
        {
            if (!PathMatches(route.Path, segments))
            {
                continue;
            }

            if (route.Methods.Length > 0 && !route.Methods.Contains(method.ToUpperInvariant()))
            {
                continue;
            }

            var h = host.ToString();
            if (route.Hosts.Length > 0 && !route.Hosts.Any(p => p.Matches(h)))
            {
                continue;
            }

            if (!route.MatchHeaders.All(m => m.Matches(headers)))
            {
                continue;
            }

            if (best is null || Compare(route, best) < 0)
            {
                best = route;
            }
        }

        return best;
    }

    private static bool PathMatches(RouteTemplate template, string[] segments)
    {
        for (var i = 0; i < template.Segments.Length; i++)
        {
            var t = template.Segments[i];
            if (t.Kind == TemplateSegmentKind.CatchAll)
            {
                return true;
            }

            if (i >= segments.Length || segments[i].Length == 0)
            {
                return false;
            }

            if (t.Kind == TemplateSegmentKind.Literal && !string.Equals(t.Value, segments[i], StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return segments.Length == template.Segments.Length;
    }

    private static int Compare(RouteDefinition a, RouteDefinition b)
    {
        for (var i = 0; i < Math.Min(a.Path.Segments.Length, b.Path.Segments.Length); i++)
        {
            var c = a.Path.Segments[i].Kind.CompareTo(b.Path.Segments[i].Kind);
            if (c != 0)
            {
                return c;
            }
        }

        var byLength = b.Path.Segments.Length.CompareTo(a.Path.Segments.Length);
        if (byLength != 0)
        {
            return byLength;
        }

        var byHeaders = b.MatchHeaders.Length.CompareTo(a.MatchHeaders.Length);
        return byHeaders != 0 ? byHeaders : a.Order.CompareTo(b.Order);
    }
}
