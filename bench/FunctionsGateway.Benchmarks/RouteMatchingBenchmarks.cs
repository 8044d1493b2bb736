using BenchmarkDotNet.Attributes;
using FunctionsGateway.Configuration;
using FunctionsGateway.Routing;
using Microsoft.AspNetCore.Http;

namespace FunctionsGateway.Benchmarks;

/// <summary>
/// <see cref="RouteMatcher"/> over a generated route table of realistic shape: per service a
/// handful of literal, parameter and catch-all routes, some restricted by method, host or header,
/// plus a few routes that start with a parameter and so sit beside every service's literal.
/// Target (docs/benchmarks.md, Targets): sub-microsecond and zero bytes allocated per match at 10,000 routes.
/// </summary>
[MemoryDiagnoser]
public class RouteMatchingBenchmarks
{
    private const string Host = "api.contoso.com";
    private const int RoutesPerService = 10;

    private RouteMatcher _matcher = null!;
    private HeaderDictionary _headers = null!;
    private DefaultHttpContext _context = null!;
    private string _literalPath = null!;
    private string _parameterPath = null!;
    private string _backtrackingPath = null!;
    private string _missPath = null!;

    /// <summary>How many routes the table holds.</summary>
    [Params(10, 1000, 10000)]
    public int RouteCount { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _matcher = new RouteMatcher(GenerateRoutes(RouteCount));

        // The last service generated: with a hash lookup its position should not matter, and using
        // the last one makes sure it is there.
        var service = $"svc{(RouteCount / RoutesPerService) - 1}";
        _literalPath = $"/{service}/orders";
        _parameterPath = $"/{service}/orders/8c1f2a/lines/17";
        _backtrackingPath = $"/{service}/orders/special";
        _missPath = $"/{service}/orders/8c1f2a/invoices";

        // What a browser or SDK typically sends, so header conditions look up a realistic dictionary.
        _headers = new HeaderDictionary
        {
            ["Accept"] = "application/json",
            ["User-Agent"] = "contoso-sdk/2.4.1 (.NET 10)",
            ["Authorization"] = "Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln",
            ["x-api-version"] = "2",
            ["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        };

        _context = new DefaultHttpContext();
        _context.Request.Method = HttpMethods.Get;
        _context.Request.Host = new HostString(Host + ":443");
        _context.Request.Path = _parameterPath;
        foreach (var (name, value) in _headers)
        {
            _context.Request.Headers[name] = value;
        }

        // A benchmark that silently measures the wrong outcome is worse than none.
        Expect(LiteralHit(), "orders");
        Expect(ParameterHit(), "order-line");
        Expect(BacktrackingHit(), "order");
        Expect(Miss(), null);
        Expect(HttpRequestHit(), "order-line");
    }

    /// <summary>A request that ends on a literal route.</summary>
    [Benchmark]
    public RouteDefinition? LiteralHit() => _matcher.Match(HttpMethods.Get, Host, _literalPath, _headers).Route;

    /// <summary>A request that goes through two parameters.</summary>
    [Benchmark]
    public RouteDefinition? ParameterHit() => _matcher.Match(HttpMethods.Get, Host, _parameterPath, _headers).Route;

    /// <summary>A POST to a GET-only literal route, which falls through to the parameter route beside it.</summary>
    [Benchmark]
    public RouteDefinition? BacktrackingHit() => _matcher.Match(HttpMethods.Post, Host, _backtrackingPath, _headers).Route;

    /// <summary>A path that shares a service's prefix but matches nothing, after every branch has been tried.</summary>
    [Benchmark]
    public RouteDefinition? Miss() => _matcher.Match(HttpMethods.Get, Host, _missPath, _headers).Route;

    /// <summary>The <see cref="HttpRequest"/> overload, with a port in the Host header.</summary>
    [Benchmark]
    public RouteDefinition? HttpRequestHit() => _matcher.Match(_context.Request).Route;

    private static List<RouteDefinition> GenerateRoutes(int count)
    {
        var routes = new List<RouteDefinition>(count + 3)
        {
            // Routes that begin with a parameter are tried beside every service's literal.
            Route("tenant-status", "/{tenant}/status", methods: "GET"),
            Route("tenant-orders", "/{tenant}/orders/{id}/audit"),
            Route("health", "/health"),
        };

        for (var i = 0; i < count / RoutesPerService; i++)
        {
            var prefix = $"/svc{i}";
            routes.Add(Route("orders", $"{prefix}/orders", methods: "GET,POST", partition: prefix));
            routes.Add(Route("order", $"{prefix}/orders/{{id}}", partition: prefix));
            routes.Add(Route("special", $"{prefix}/orders/special", methods: "GET", partition: prefix));
            routes.Add(Route("order-line", $"{prefix}/orders/{{id}}/lines/{{line}}", methods: "GET", partition: prefix));
            routes.Add(Route("files", $"{prefix}/files/{{**path}}", partition: prefix));
            routes.Add(Route("customer-api", $"{prefix}/customers/{{id}}", hosts: $"api{i}.contoso.com", partition: prefix));
            routes.Add(Route("customer", $"{prefix}/customers/{{id}}", hosts: "*.contoso.com", partition: prefix));
            routes.Add(Route("report-v2", $"{prefix}/reports/{{id}}", headers: "x-api-version=2", partition: prefix));
            routes.Add(Route("report", $"{prefix}/reports/{{id}}", methods: "GET", partition: prefix));
            routes.Add(Route("legacy", $"{prefix}/legacy/{{*rest}}", headers: "x-legacy", partition: prefix));
        }

        return routes;
    }

    private static RouteDefinition Route(
        string rowKey, string path, string methods = "", string hosts = "", string headers = "", string partition = "global")
    {
        if (!RouteTemplate.TryParse(path, out var template, out var error))
        {
            throw new InvalidOperationException(error);
        }

        return new RouteDefinition
        {
            Id = new RowId("Routes", partition, rowKey),
            Path = template,
            Methods = [.. Split(methods)],
            Hosts = [.. Split(hosts).Select(h => HostPattern.TryParse(h, out var p, out var e) ? p : throw new InvalidOperationException(e))],
            MatchHeaders = [.. Split(headers).Select(h => HeaderMatch.TryParse(h, out var m, out var e) ? m : throw new InvalidOperationException(e))],
            Target = new PoolTarget(partition),
        };
    }

    private static string[] Split(string list) => list.Split(',', StringSplitOptions.RemoveEmptyEntries);

    private static void Expect(RouteDefinition? route, string? rowKey)
    {
        if (route?.Id.RowKey != rowKey)
        {
            throw new InvalidOperationException($"Expected route '{rowKey ?? "(none)"}' but matched '{route?.Id.ToString() ?? "(none)"}'.");
        }
    }
}
