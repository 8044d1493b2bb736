using System.Net;
using BenchmarkDotNet.Attributes;
using FunctionsGateway.Authentication;
using FunctionsGateway.Configuration;
using FunctionsGateway.Pipeline;
using FunctionsGateway.Pipeline.Steps;
using FunctionsGateway.RateLimiting;
using FunctionsGateway.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace FunctionsGateway.Benchmarks;

/// <summary>
/// The rate-limit step's cost for an admitted request on a warm leased limiter that is far from saturated (limit
/// 100,000,000/1m, as the limited route of bench/ratelimit.sh): the step, the key, the limiter and the headers.
/// The counters are in memory, so a lease's claim costs no storage round trip; one is made every lease's worth of
/// requests, as on a real route.
/// </summary>
[MemoryDiagnoser]
public class RateLimitStepBenchmarks
{
    private readonly DefaultHttpContext _context = new() { Request = { Method = "GET", Path = "/orders" } };
    private GatewayRateLimiter _limiter = null!;
    private RateLimitStep _step = null!;
    private GatewayRequestFeature _feature = null!;

    [Params(RateLimitKeyKind.Route, RateLimitKeyKind.Consumer, RateLimitKeyKind.Ip)]
    public RateLimitKeyKind KeyBy { get; set; }

    [Params(1, 2)]
    public int Limits { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _limiter = new GatewayRateLimiter(new InMemoryRateLimitCounterStore(), TimeProvider.System, NullLogger<GatewayRateLimiter>.Instance);
        _step = new RateLimitStep(_limiter);
        RateLimitRule[] rules = Limits == 1
            ? [new RateLimitRule(100_000_000, TimeSpan.FromMinutes(1), "100000000/1m")]
            : [new RateLimitRule(10_000_000, TimeSpan.FromSeconds(1), "10000000/1s"), new RateLimitRule(100_000_000, TimeSpan.FromMinutes(1), "100000000/1m")];
        var policy = new RateLimitPolicy([.. rules], new RateLimitKeySource(KeyBy), RateLimitMode.Leased, RateLimitFailureMode.Open);
        var template = RouteTemplate.TryParse("/orders", out var parsed, out var error) ? parsed : throw new InvalidOperationException(error);
        var route = new RouteDefinition { Id = new RowId("Routes", "public", "orders"), Path = template, Target = new PoolTarget("orders"), RateLimit = policy };
        _context.Connection.RemoteIpAddress = IPAddress.Parse("192.0.2.10");
        _feature = new GatewayRequestFeature(GatewaySnapshot.Empty)
        {
            Route = route,
            Identity = GatewayIdentity.FromApiKey("shop", "0123456789ab", plan: null, []),
        };
    }

    [GlobalCleanup]
    public void Cleanup() => _limiter.Dispose();

    [Benchmark]
    public async Task<bool> AdmitWarm()
    {
        _context.Response.Headers.Clear();
        var result = await _step.InvokeAsync(_context, _feature);
        return result.Ended;
    }
}
