using System.Collections.Frozen;
using Microsoft.AspNetCore.Http;

namespace FunctionsGateway.Routing;

/// <summary>
/// Finds the route for a request among all valid routes of a snapshot. Built once per snapshot
/// (in the background refresh), immutable and safe to share between threads afterwards; a match
/// allocates nothing, whether it hits or misses.
/// </summary>
/// <remarks>
/// <para>The contract:</para>
/// <list type="bullet">
/// <item><description>Path segments are compared case-insensitively (ordinal). One trailing '/' in
/// the request is ignored (<c>/orders/</c> matches <c>/orders</c>). An empty request segment
/// (<c>//</c>) never matches a literal or a parameter. A parameter matches exactly one non-empty
/// segment. A catch-all matches the rest of the path, including nothing: <c>/files/{**rest}</c>
/// matches <c>/files</c>, <c>/files/</c> and <c>/files/a/b</c>. The template <c>/</c> matches only
/// the root path (<c>/</c> or an empty path).</description></item>
/// <item><description>A route matches when its path, method, host and headers all match. Methods
/// compare case-insensitively; an empty method list allows any method. The host is compared
/// without its port (see <see cref="HostPattern"/>); an empty host list allows any host. Every
/// <see cref="HeaderMatch"/> must hold.</description></item>
/// <item><description>Among matching routes the most specific path wins: comparing segments left
/// to right, at the first segment where they differ a literal beats a parameter, which beats a
/// catch-all; a template that has ended (the request has no more segments) beats a catch-all that
/// matches nothing, and a longer template beats a shorter one ending in a catch-all.</description></item>
/// <item><description>Among routes with the same path shape (the same literals, compared
/// case-insensitively, and parameters in the same places; parameter names do not matter) the
/// tie-breaks are, in order: a route whose matching host pattern is exact beats one whose
/// matching pattern is a wildcard, which beats a route without hosts; more <c>MatchHeaders</c>
/// beats fewer; a restricted method list beats any method; lower <c>Order</c> wins; finally the
/// ordinal order of the row (table, PartitionKey, RowKey) makes the result
/// deterministic.</description></item>
/// <item><description>A request that matches a route's path but not its method, host or headers
/// falls through to less specific routes: with <c>/orders/special</c> (GET only) and
/// <c>/orders/{id}</c> (any method), a POST to <c>/orders/special</c> goes to
/// <c>/orders/{id}</c>.</description></item>
/// </list>
/// <para>How: the templates form a trie of segments. Each node has its literal children in a
/// case-insensitive frozen dictionary probed with a span of the request path, at most one parameter
/// child, the routes whose template ends at the node, and the routes whose catch-all starts there,
/// each list pre-sorted by the tie-breaks. A depth-first search tries the literal child, then the
/// parameter child, then the catch-alls, and returns the first route whose filters pass; that
/// order is the specificity order above, so the first hit is the winner and backtracking comes for
/// free. A node's depth fixes which request segments lead to it, so a search reaches each node at
/// most once: backtracking is bounded by the size of the trie, never exponential.</para>
/// </remarks>
internal sealed class RouteMatcher
{
    private readonly Node _root;

    /// <summary>Builds the matcher; slower than a match, it runs once per snapshot.</summary>
    /// <param name="routes">The valid routes; their order does not matter.</param>
    public RouteMatcher(IEnumerable<RouteDefinition> routes)
    {
        ArgumentNullException.ThrowIfNull(routes);

        var root = new NodeBuilder();
        foreach (var route in routes)
        {
            if (route is null)
            {
                throw new ArgumentException("The route list contains null.", nameof(routes));
            }

            root.Add(route);
        }

        _root = root.Build();
    }

    /// <summary>Finds the route for a request, or null when no route matches.</summary>
    /// <param name="method">The request method, in any case.</param>
    /// <param name="host">The request host without its port.</param>
    /// <param name="path">The request path, starting with '/' (an empty path is the root).</param>
    /// <param name="headers">The request headers.</param>
    /// <returns>The most specific matching route, or null.</returns>
    public RouteDefinition? Match(string method, ReadOnlySpan<char> host, ReadOnlySpan<char> path, IHeaderDictionary headers)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(headers);

        var segments = RequestPath.Trim(path, out _);
        var request = new RequestFilter(method, host, headers);
        return Find(_root, segments, RequestPath.FirstSegment(segments), in request)?.Route;
    }

    /// <summary>Finds the route for <paramref name="request"/>, or null when no route matches.</summary>
    /// <param name="request">The request; its method, host (without port), path and headers are used.</param>
    /// <returns>The most specific matching route, or null.</returns>
    public RouteDefinition? Match(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);

        // HostString.Host returns a new string whenever the Host header carries a port; the span
        // keeps the match allocation-free.
        return Match(request.Method, HostWithoutPort(request.Host.Value), request.Path.Value, request.Headers);
    }

    /// <summary>
    /// The host part of a Host header value, split as <see cref="HostString.Host"/> does except that an
    /// IPv6 address without brackets is returned as it is rather than copied into a bracketed string.
    /// No <see cref="HostPattern"/> can match an IPv6 address, so that difference never changes a match.
    /// </summary>
    internal static ReadOnlySpan<char> HostWithoutPort(ReadOnlySpan<char> value)
    {
        var bracket = value.IndexOf(']');
        if (bracket >= 0)
        {
            // A bracketed IPv6 address keeps its brackets: "[::1]:8080" -> "[::1]".
            return value[..(bracket + 1)];
        }

        var colon = value.IndexOf(':');
        if (colon < 0)
        {
            return value;
        }

        if (colon < value.Length - 1 && value[(colon + 1)..].Contains(':'))
        {
            // Two colons or more: an IPv6 address without brackets, and without a port.
            return value;
        }

        // One colon: "host:port", or "host:" with an empty port.
        return value[..colon];
    }

    private static Candidate? Find(Node node, ReadOnlySpan<char> segments, int start, in RequestFilter request)
    {
        if (!RequestPath.HasSegment(segments, start))
        {
            // The request has ended here: templates ending at this node are more specific than a
            // catch-all matching nothing.
            return FirstAccepted(node.Ends, in request) ?? FirstAccepted(node.CatchAlls, in request);
        }

        var segment = RequestPath.ReadSegment(segments, start, out var next);
        if (!segment.IsEmpty)
        {
            if (node.HasLiterals && node.Literals.TryGetValue(segment, out var literal)
                && Find(literal, segments, next, in request) is { } literalHit)
            {
                return literalHit;
            }

            if (node.Parameter is { } parameter && Find(parameter, segments, next, in request) is { } parameterHit)
            {
                return parameterHit;
            }
        }

        return FirstAccepted(node.CatchAlls, in request);
    }

    private static Candidate? FirstAccepted(Candidate[] candidates, in RequestFilter request)
    {
        foreach (var candidate in candidates)
        {
            if (candidate.Accepts(in request))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>What a route's filters look at, carried through the search by reference.</summary>
    private readonly ref struct RequestFilter(string method, ReadOnlySpan<char> host, IHeaderDictionary headers)
    {
        public readonly string Method = method;
        public readonly ReadOnlySpan<char> Host = host;
        public readonly IHeaderDictionary Headers = headers;
    }

    /// <summary>
    /// One route as the search sees it. A route with both exact and wildcard hosts becomes two
    /// candidates, one per kind, so that each sorts by the kind of host that actually matched.
    /// </summary>
    private sealed class Candidate
    {
        private readonly string[] _methods;
        private readonly HostPattern[] _hosts;
        private readonly HeaderMatch[] _headers;

        public Candidate(RouteDefinition route, HostPattern[] hosts, int hostRank)
        {
            Route = route;
            _methods = route.Methods.IsDefaultOrEmpty ? [] : [.. route.Methods];
            _hosts = hosts;
            _headers = route.MatchHeaders.IsDefaultOrEmpty ? [] : [.. route.MatchHeaders];
            HostRank = hostRank;
        }

        public RouteDefinition Route { get; }

        /// <summary>0 for exact hosts, 1 for wildcard hosts, 2 for any host.</summary>
        public int HostRank { get; }

        public bool Accepts(in RequestFilter request)
        {
            if (_methods.Length > 0 && !AcceptsMethod(request.Method))
            {
                return false;
            }

            if (_hosts.Length > 0 && !AcceptsHost(request.Host))
            {
                return false;
            }

            foreach (var header in _headers)
            {
                if (!header.Matches(request.Headers))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>Orders candidates of one path shape by the tie-breaks of the contract.</summary>
        public static int Compare(Candidate x, Candidate y)
        {
            var result = x.HostRank.CompareTo(y.HostRank);
            if (result == 0)
            {
                result = y._headers.Length.CompareTo(x._headers.Length);
            }

            if (result == 0)
            {
                result = (x._methods.Length == 0).CompareTo(y._methods.Length == 0);
            }

            if (result == 0)
            {
                result = x.Route.Order.CompareTo(y.Route.Order);
            }

            if (result == 0)
            {
                result = string.CompareOrdinal(x.Route.Id.Table, y.Route.Id.Table);
            }

            if (result == 0)
            {
                result = string.CompareOrdinal(x.Route.Id.PartitionKey, y.Route.Id.PartitionKey);
            }

            if (result == 0)
            {
                result = string.CompareOrdinal(x.Route.Id.RowKey, y.Route.Id.RowKey);
            }

            return result;
        }

        private bool AcceptsMethod(string method)
        {
            foreach (var allowed in _methods)
            {
                if (string.Equals(allowed, method, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }

            return false;
        }

        private bool AcceptsHost(ReadOnlySpan<char> host)
        {
            foreach (var pattern in _hosts)
            {
                if (pattern.Matches(host))
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>One node of the finished trie; never changes after construction.</summary>
    private sealed class Node
    {
        private static readonly FrozenDictionary<string, Node> NoLiterals =
            FrozenDictionary.ToFrozenDictionary(new Dictionary<string, Node>(), StringComparer.OrdinalIgnoreCase);

        public Node(FrozenDictionary<string, Node>? literals, Node? parameter, Candidate[] ends, Candidate[] catchAlls)
        {
            HasLiterals = literals is not null;
            Literals = (literals ?? NoLiterals).GetAlternateLookup<ReadOnlySpan<char>>();
            Parameter = parameter;
            Ends = ends;
            CatchAlls = catchAlls;
        }

        public bool HasLiterals { get; }

        /// <summary>Literal children, looked up case-insensitively with a span of the request path.</summary>
        /// <remarks>
        /// Frozen rather than a plain dictionary: the build runs once per snapshot (about 20 ms for
        /// 10,000 routes) and the lookups are faster, most of all the misses, which the length buckets
        /// reject without hashing; measured 9 ns against 13 ns per hit and 4 ns against 8 ns per miss.
        /// </remarks>
        public FrozenDictionary<string, Node>.AlternateLookup<ReadOnlySpan<char>> Literals { get; }

        public Node? Parameter { get; }

        /// <summary>Routes whose template ends at this node, best first.</summary>
        public Candidate[] Ends { get; }

        /// <summary>Routes whose catch-all starts at this node, best first.</summary>
        public Candidate[] CatchAlls { get; }
    }

    /// <summary>A trie node while the matcher is being built.</summary>
    private sealed class NodeBuilder
    {
        private readonly Dictionary<string, NodeBuilder> _literals = new(StringComparer.OrdinalIgnoreCase);
        private readonly List<Candidate> _ends = [];
        private readonly List<Candidate> _catchAlls = [];
        private NodeBuilder? _parameter;

        public void Add(RouteDefinition route)
        {
            var node = this;
            foreach (var segment in route.Path.Segments)
            {
                switch (segment.Kind)
                {
                    case TemplateSegmentKind.Literal:
                        if (!node._literals.TryGetValue(segment.Value, out var child))
                        {
                            child = new NodeBuilder();
                            node._literals.Add(segment.Value, child);
                        }

                        node = child;
                        break;
                    case TemplateSegmentKind.Parameter:
                        node = node._parameter ??= new NodeBuilder();
                        break;
                    case TemplateSegmentKind.CatchAll:
                        // RouteTemplate guarantees the catch-all is the last segment.
                        AddCandidates(node._catchAlls, route);
                        return;
                    default:
                        throw new InvalidOperationException($"Unknown segment kind {segment.Kind} in '{route.Path}'.");
                }
            }

            AddCandidates(node._ends, route);
        }

        public Node Build()
        {
            FrozenDictionary<string, Node>? literals = null;
            if (_literals.Count > 0)
            {
                var built = new Dictionary<string, Node>(_literals.Count, StringComparer.OrdinalIgnoreCase);
                foreach (var (text, child) in _literals)
                {
                    built.Add(text, child.Build());
                }

                literals = built.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
            }

            return new Node(literals, _parameter?.Build(), Sorted(_ends), Sorted(_catchAlls));
        }

        private static void AddCandidates(List<Candidate> list, RouteDefinition route)
        {
            if (route.Hosts.IsDefaultOrEmpty)
            {
                list.Add(new Candidate(route, [], hostRank: 2));
                return;
            }

            var exact = new List<HostPattern>();
            var wildcard = new List<HostPattern>();
            foreach (var host in route.Hosts)
            {
                (host.IsWildcard ? wildcard : exact).Add(host);
            }

            if (exact.Count > 0)
            {
                list.Add(new Candidate(route, [.. exact], hostRank: 0));
            }

            if (wildcard.Count > 0)
            {
                list.Add(new Candidate(route, [.. wildcard], hostRank: 1));
            }
        }

        private static Candidate[] Sorted(List<Candidate> list)
        {
            var array = list.ToArray();
            Array.Sort(array, Candidate.Compare);
            return array;
        }
    }
}
