using System.Collections.Frozen;
using System.Collections.Immutable;
using FunctionsGateway.Authentication;
using Microsoft.AspNetCore.Http;

namespace FunctionsGateway.Routing;

/// <summary>
/// Finds the route for a request among all valid routes of a snapshot. Built once per snapshot
/// (in the background refresh), immutable and safe to share between threads afterwards; a match
/// allocates nothing, whether it finds a route or refuses the request.
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
/// <item><description>A route accepts a request when its path, method, host and headers all match.
/// Methods compare case-insensitively; an empty method list allows any method. The host is compared
/// without its port (see <see cref="HostWithoutPort"/>) and without one trailing dot (see
/// <see cref="HostPattern"/>); an empty host list allows any host. Every <see cref="HeaderMatch"/> must hold.</description></item>
/// <item><description>Routes are tried most specific path first: comparing segments left
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
/// <item><description>The first route tried that accepts the request serves it, with one exception that
/// keeps protection from leaking: a route whose path matches but whose method, host or headers turn the
/// request away (it is "passed over") lets the request fall through only to a route whose
/// <see cref="AuthPolicy"/> is at least as strict (<see cref="AuthPolicy.IsAtLeastAsStrictAs"/>) as its
/// own. If the first accepting route is weaker than any route passed over, the request is refused, and
/// so is a request no route accepts. A rate-limited route passed over never lets the request fall through:
/// another route would count it against other counters. With <c>/orders/special</c> (GET only) and <c>/orders/{id}</c>
/// (any method) under the same <c>Auth</c>, a POST to <c>/orders/special</c> goes to
/// <c>/orders/{id}</c>; with <c>/admin/{**rest}</c> (GET, <c>jwt</c>) over an anonymous
/// <c>/{**rest}</c>, a DELETE to <c>/admin/x</c> is refused. Two routes that both list hosts and share none
/// are separate virtual hosts and never hold each other back.</description></item>
/// <item><description>A refusal is <see cref="RouteRefusal.MethodNotAllowed"/> when a route passed
/// over matched the request's path, host and headers and turned it away only for its method; the
/// <c>Allow</c> value lists the methods of every such route. Otherwise it is
/// <see cref="RouteRefusal.NotFound"/>.</description></item>
/// </list>
/// <para>How: the templates form a trie of segments. Each node has its literal children in a
/// case-insensitive frozen dictionary probed with a span of the request path, at most one parameter
/// child, the routes whose template ends at the node, and the routes whose catch-all starts there,
/// each list pre-sorted by the tie-breaks. A depth-first search tries the literal child, then the
/// parameter child, then the catch-alls; that order is the specificity order above, so the routes are
/// met in the order they are tried. A node's depth fixes which request segments lead to it, so a
/// search reaches each node at most once: backtracking is bounded by the size of the trie, never
/// exponential. The first search stops at the first accepting route and notes whether a protected
/// route was passed over; only then (a fall-through past protection, rare) does a second search
/// compare the landing route with each route passed over, and only a refusal whose passed-over routes
/// allow different method lists makes a third search to join them. No search allocates except that
/// last one.</para>
/// </remarks>
internal sealed class RouteMatcher
{
    /// <summary>How many routes after a protected route one search in <see cref="FindWeakerFallThroughs"/> looks at.</summary>
    private const int FallThroughLookAhead = 64;

    private readonly Node _root;

    /// <summary>Builds the matcher; slower than a match, it runs once per snapshot.</summary>
    /// <param name="routes">The valid routes; their order does not matter.</param>
    public RouteMatcher(IEnumerable<RouteDefinition> routes)
    {
        ArgumentNullException.ThrowIfNull(routes);

        var root = new NodeBuilder();
        var allowValues = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var route in routes)
        {
            if (route is null)
            {
                throw new ArgumentException("The route list contains null.", nameof(routes));
            }

            root.Add(route, allowValues);
        }

        _root = root.Build();
    }

    private interface ICandidateVisitor
    {
        /// <summary>Sees the next route the search meets, in the order they are tried; returns true to stop the search.</summary>
        bool Visit(Candidate candidate);
    }

    /// <summary>Finds the route for a request, or why none serves it.</summary>
    /// <param name="method">The request method, in any case.</param>
    /// <param name="host">The request host without its port.</param>
    /// <param name="path">The request path, starting with '/' (an empty path is the root).</param>
    /// <param name="headers">The request headers.</param>
    /// <returns>The route that serves the request, or the refusal.</returns>
    public RouteMatch Match(string method, ReadOnlySpan<char> host, ReadOnlySpan<char> path, IHeaderDictionary headers)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(headers);

        var segments = RequestPath.Trim(path, out _);
        var first = RequestPath.FirstSegment(segments);
        var search = new FirstAcceptingSearch(method, host, headers);
        Walk(_root, segments, first, ref search);

        var landing = search.Accepted;
        if (landing is not null)
        {
            if (!search.PassedOverProtected)
            {
                return RouteMatch.Found(landing.Route);
            }

            var check = new StrictnessCheck(landing);
            Walk(_root, segments, first, ref check);
            if (check.Holds)
            {
                return RouteMatch.Found(landing.Route);
            }
        }

        if (search.MethodOnly is not { } methodOnly)
        {
            return RouteMatch.NotFound;
        }

        if (!search.MethodListsDiffer)
        {
            return RouteMatch.MethodNotAllowed(methodOnly.Allow);
        }

        var union = new AllowUnion(method, host, headers, landing);
        Walk(_root, segments, first, ref union);
        return RouteMatch.MethodNotAllowed(union.Value);
    }

    /// <summary>Finds the route for <paramref name="request"/>, or why none serves it.</summary>
    /// <param name="request">The request; its method, host (without port), path and headers are used.</param>
    /// <returns>The route that serves the request, or the refusal.</returns>
    public RouteMatch Match(HttpRequest request)
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
    /// A trailing dot is kept: <see cref="HostPattern.Matches"/> drops it, once.
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

    /// <summary>
    /// Pairs of routes where the weaker one receives requests whose path the stronger, protected one
    /// matches whenever the stronger one's methods, hosts or headers turn them away: the fall-throughs
    /// <see cref="Match(string, ReadOnlySpan{char}, ReadOnlySpan{char}, IHeaderDictionary)"/> refuses. For
    /// the status listing, computed once per snapshot.
    /// </summary>
    /// <remarks>
    /// Each protected route with a method, host or header condition is followed along its own path, with its
    /// parameters standing for a value no plain-text segment has and its catch-all for an empty rest, and
    /// the next <see cref="FallThroughLookAhead"/> routes the search would try after it are compared with it.
    /// That is one search per such route, so the cost grows with the number of routes, not its square;
    /// requests with other values can meet other routes, which the matcher refuses just the same but this
    /// list does not name.
    /// </remarks>
    /// <param name="limit">At most this many pairs are returned.</param>
    /// <returns>The pairs, ordered by the weaker route's row and then the stronger one's.</returns>
    public IReadOnlyList<(RouteDefinition Weaker, RouteDefinition Stronger)> FindWeakerFallThroughs(int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);

        var pairs = new SortedSet<(RouteDefinition Weaker, RouteDefinition Stronger)>(Comparer<(RouteDefinition Weaker, RouteDefinition Stronger)>.Create(
            (x, y) => CompareRows(x.Weaker, y.Weaker) is var weaker and not 0 ? weaker : CompareRows(x.Stronger, y.Stronger)));
        var stack = new Stack<Node>();
        stack.Push(_root);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            foreach (var candidate in node.Ends.Concat(node.CatchAlls))
            {
                if (candidate.IsProtected && candidate.HasConditions)
                {
                    var collector = new FallThroughCollector(candidate, pairs, limit);
                    WalkTemplate(_root, candidate.Route.Path.Segments, 0, ref collector);
                }
            }

            if (node.HasLiterals)
            {
                foreach (var child in node.Literals.Dictionary.Values)
                {
                    stack.Push(child);
                }
            }

            if (node.Parameter is { } parameter)
            {
                stack.Push(parameter);
            }
        }

        return [.. pairs];
    }

    /// <summary>
    /// Whether both routes name their hosts and no host is served by both: then they are different virtual hosts
    /// (<c>api.contoso.com</c> with <c>Auth=jwt</c>, <c>docs.contoso.com</c> anonymous, both <c>/{**rest}</c>), a
    /// request the one turns away for its host is one the other is the operator's own route for, and neither holds
    /// the other back. A route that serves any host, or shares a host with a protected one, is a fall-through from
    /// it and must be at least as strict.
    /// </summary>
    private static bool SeparateVirtualHosts(RouteDefinition a, RouteDefinition b)
    {
        if (a.Hosts.IsDefaultOrEmpty || b.Hosts.IsDefaultOrEmpty)
        {
            return false;
        }

        foreach (var x in a.Hosts)
        {
            foreach (var y in b.Hosts)
            {
                if (x.Overlaps(y))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static int CompareRows(RouteDefinition x, RouteDefinition y)
    {
        var result = string.CompareOrdinal(x.Id.Table, y.Id.Table);
        if (result == 0)
        {
            result = string.CompareOrdinal(x.Id.PartitionKey, y.Id.PartitionKey);
        }

        return result == 0 ? string.CompareOrdinal(x.Id.RowKey, y.Id.RowKey) : result;
    }

    /// <summary>Meets the routes whose path matches the request, in the order they are tried, until the visitor stops.</summary>
    private static bool Walk<TVisitor>(Node node, ReadOnlySpan<char> segments, int start, ref TVisitor visitor)
        where TVisitor : ICandidateVisitor, allows ref struct
    {
        if (!RequestPath.HasSegment(segments, start))
        {
            // The request has ended here: templates ending at this node are more specific than a
            // catch-all matching nothing.
            return VisitEach(node.Ends, ref visitor) || VisitEach(node.CatchAlls, ref visitor);
        }

        var segment = RequestPath.ReadSegment(segments, start, out var next);
        if (!segment.IsEmpty)
        {
            if (node.HasLiterals && node.Literals.TryGetValue(segment, out var literal) && Walk(literal, segments, next, ref visitor))
            {
                return true;
            }

            if (node.Parameter is { } parameter && Walk(parameter, segments, next, ref visitor))
            {
                return true;
            }
        }

        return VisitEach(node.CatchAlls, ref visitor);
    }

    /// <summary>
    /// As <see cref="Walk"/>, for a request shaped like a template: its parameters stand for a value no
    /// literal has, its catch-all for an empty rest.
    /// </summary>
    private static bool WalkTemplate(Node node, ImmutableArray<TemplateSegment> segments, int index, ref FallThroughCollector collector)
    {
        if (index == segments.Length || segments[index].Kind == TemplateSegmentKind.CatchAll)
        {
            return collector.VisitList(node.Ends) || collector.VisitList(node.CatchAlls);
        }

        var segment = segments[index];
        if (segment.Kind == TemplateSegmentKind.Literal && node.HasLiterals && node.Literals.TryGetValue(segment.Value, out var literal)
            && WalkTemplate(literal, segments, index + 1, ref collector))
        {
            return true;
        }

        if (node.Parameter is { } parameter && WalkTemplate(parameter, segments, index + 1, ref collector))
        {
            return true;
        }

        return collector.VisitList(node.CatchAlls);
    }

    private static bool VisitEach<TVisitor>(Candidate[] candidates, ref TVisitor visitor)
        where TVisitor : ICandidateVisitor, allows ref struct
    {
        foreach (var candidate in candidates)
        {
            if (visitor.Visit(candidate))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>What a route's conditions make of a request whose path it matches.</summary>
    private enum Verdict
    {
        Accepted,

        /// <summary>Host and headers match; the method does not.</summary>
        WrongMethod,

        /// <summary>The host or a header does not match.</summary>
        WrongHostOrHeaders,
    }

    /// <summary>The first search: stops at the first accepting route, noting what it passed over on the way.</summary>
    private ref struct FirstAcceptingSearch(string method, ReadOnlySpan<char> host, IHeaderDictionary headers) : ICandidateVisitor
    {
        private readonly string _method = method;
        private readonly ReadOnlySpan<char> _host = host;
        private readonly IHeaderDictionary _headers = headers;

        public Candidate? Accepted { get; private set; }

        /// <summary>Whether a route passed over is more protected than an anonymous route.</summary>
        public bool PassedOverProtected { get; private set; }

        /// <summary>The first route passed over for its method alone.</summary>
        public Candidate? MethodOnly { get; private set; }

        /// <summary>Whether routes passed over for their method alone allow different method lists.</summary>
        public bool MethodListsDiffer { get; private set; }

        public bool Visit(Candidate candidate)
        {
            var verdict = candidate.Judge(_method, _host, _headers);
            if (verdict == Verdict.Accepted)
            {
                Accepted = candidate;
                return true;
            }

            if (verdict == Verdict.WrongMethod)
            {
                // Equal method lists share one Allow string (made at build), so a reference comparison suffices.
                MethodListsDiffer |= MethodOnly is not null && !ReferenceEquals(MethodOnly.Allow, candidate.Allow);
                MethodOnly ??= candidate;
            }

            PassedOverProtected |= candidate.IsProtected;
            return false;
        }
    }

    /// <summary>The second search: is the landing route at least as strict as every route passed over before it?</summary>
    private struct StrictnessCheck(Candidate landing) : ICandidateVisitor
    {
        public bool Holds { get; private set; } = true;

        public bool Visit(Candidate candidate)
        {
            if (ReferenceEquals(candidate, landing))
            {
                return true;
            }

            // Every route met before the landing one was passed over: the first search stopped at the first that accepted.
            // A rate-limited route's counters are its own: any other route would count the request elsewhere, so a
            // request it turned away never falls through (except to another virtual host).
            if (candidate.IsProtected
                && (candidate.Route.RateLimit is not null || !landing.Route.Auth.IsAtLeastAsStrictAs(candidate.Route.Auth))
                && !SeparateVirtualHosts(candidate.Route, landing.Route))
            {
                Holds = false;
                return true;
            }

            return false;
        }
    }

    /// <summary>The third search, for a 405 only: the methods of every route passed over for its method alone.</summary>
    private ref struct AllowUnion(string method, ReadOnlySpan<char> host, IHeaderDictionary headers, Candidate? landing) : ICandidateVisitor
    {
        private readonly string _method = method;
        private readonly ReadOnlySpan<char> _host = host;
        private readonly IHeaderDictionary _headers = headers;
        private readonly SortedSet<string> _methods = new(StringComparer.Ordinal);

        public readonly string Value => string.Join(", ", _methods);

        public readonly bool Visit(Candidate candidate)
        {
            if (ReferenceEquals(candidate, landing))
            {
                return true;
            }

            if (candidate.Judge(_method, _host, _headers) == Verdict.WrongMethod)
            {
                _methods.UnionWith(candidate.Methods);
            }

            return false;
        }
    }

    /// <summary>For the status listing: the routes after a protected one, along its own path, that are weaker than it.</summary>
    private struct FallThroughCollector(Candidate stronger, SortedSet<(RouteDefinition Weaker, RouteDefinition Stronger)> pairs, int limit)
    {
        private bool _passed;
        private int _lookAhead = FallThroughLookAhead;

        /// <summary>Sees one list of routes in the order they are tried; returns true to stop the walk.</summary>
        public bool VisitList(Candidate[] candidates)
        {
            var start = 0;
            if (!_passed)
            {
                // Lists met before the protected route's own hold more specific routes: skipped whole, and its own
                // list is entered just after it, so one walk costs its path and the look-ahead, not the table's size.
                if (!ReferenceEquals(candidates, stronger.Siblings))
                {
                    return false;
                }

                _passed = true;
                start = stronger.Position + 1;
            }

            for (var i = start; i < candidates.Length; i++)
            {
                if (Visit(candidates[i]))
                {
                    return true;
                }
            }

            return false;
        }

        private bool Visit(Candidate candidate)
        {
            if (!ReferenceEquals(candidate.Route, stronger.Route) && !candidate.Route.Auth.IsAtLeastAsStrictAs(stronger.Route.Auth)
                && !SeparateVirtualHosts(stronger.Route, candidate.Route))
            {
                // Keep only the first pairs by row: the same ones whatever order the trie is walked in, in bounded memory.
                if (pairs.Add((candidate.Route, stronger.Route)) && pairs.Count > limit)
                {
                    pairs.Remove(pairs.Max);
                }
            }

            // A route without conditions takes every request that reaches it: nothing after it is ever tried.
            return !candidate.HasConditions || --_lookAhead == 0;
        }
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

        public Candidate(RouteDefinition route, HostPattern[] hosts, int hostRank, Dictionary<string, string> allowValues)
        {
            Route = route;
            _methods = route.Methods.IsDefaultOrEmpty ? [] : [.. route.Methods];
            _hosts = hosts;
            _headers = route.MatchHeaders.IsDefaultOrEmpty ? [] : [.. route.MatchHeaders];
            HostRank = hostRank;
            IsProtected = !AuthPolicy.Anonymous.IsAtLeastAsStrictAs(route.Auth) || route.RateLimit is not null;

            // The Allow value of a 405, made now so that a refusal allocates nothing; equal lists share one string.
            var allow = string.Join(", ", _methods.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
            Allow = allowValues.TryGetValue(allow, out var shared) ? shared : allowValues[allow] = allow;
        }

        public RouteDefinition Route { get; }

        /// <summary>0 for exact hosts, 1 for wildcard hosts, 2 for any host.</summary>
        public int HostRank { get; }

        /// <summary>Whether the route asks more of a caller than an anonymous route does.</summary>
        public bool IsProtected { get; }

        /// <summary>Whether the route can turn away a request whose path it matches.</summary>
        public bool HasConditions => _methods.Length > 0 || _hosts.Length > 0 || _headers.Length > 0;

        /// <summary>The sorted list this candidate is in (a node's ends or catch-alls), set when the node is built.</summary>
        public Candidate[] Siblings { get; set; } = [];

        /// <summary>This candidate's index in <see cref="Siblings"/>.</summary>
        public int Position { get; set; }

        /// <summary>The route's methods as an <c>Allow</c> header value.</summary>
        public string Allow { get; }

        /// <summary>The allowed methods, in upper case (<see cref="RouteDefinition.Methods"/>).</summary>
        public IReadOnlyList<string> Methods => _methods;

        public Verdict Judge(string method, ReadOnlySpan<char> host, IHeaderDictionary headers)
        {
            if (_hosts.Length > 0 && !AcceptsHost(host))
            {
                return Verdict.WrongHostOrHeaders;
            }

            foreach (var header in _headers)
            {
                if (!header.Matches(headers))
                {
                    return Verdict.WrongHostOrHeaders;
                }
            }

            return _methods.Length == 0 || AcceptsMethod(method) ? Verdict.Accepted : Verdict.WrongMethod;
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

        public void Add(RouteDefinition route, Dictionary<string, string> allowValues)
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
                        AddCandidates(node._catchAlls, route, allowValues);
                        return;
                    default:
                        throw new InvalidOperationException($"Unknown segment kind {segment.Kind} in '{route.Path}'.");
                }
            }

            AddCandidates(node._ends, route, allowValues);
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

        private static void AddCandidates(List<Candidate> list, RouteDefinition route, Dictionary<string, string> allowValues)
        {
            if (route.Hosts.IsDefaultOrEmpty)
            {
                list.Add(new Candidate(route, [], hostRank: 2, allowValues));
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
                list.Add(new Candidate(route, [.. exact], hostRank: 0, allowValues));
            }

            if (wildcard.Count > 0)
            {
                list.Add(new Candidate(route, [.. wildcard], hostRank: 1, allowValues));
            }
        }

        private static Candidate[] Sorted(List<Candidate> list)
        {
            var array = list.ToArray();
            Array.Sort(array, Candidate.Compare);
            for (var i = 0; i < array.Length; i++)
            {
                array[i].Siblings = array;
                array[i].Position = i;
            }

            return array;
        }
    }
}
