using System.Net;
using Azure.Data.Tables;
using FunctionsGateway.Configuration;
using FunctionsGateway.Pipeline;
using FunctionsGateway.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace FunctionsGateway.OperatorConsole;

public sealed class LiveTrafficTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly RouteDefinition _orders = TestRoutes.Route("/orders/{id}", rowKey: "orders");

    [Fact]
    public void Summarize_RequestsOfTheLastMinute_CountsRequestsErrorsAndRefusals()
    {
        var traffic = new LiveTraffic(_time);

        Record(traffic, _orders, 200, "ok", 10);
        Record(traffic, _orders, 502, "backend_unreachable", 20);
        Record(traffic, _orders, 429, "rate_limited", 1);

        var summary = Summary(traffic, _orders);
        Assert.Equal((3L, 1L, 1L), (summary.Requests, summary.Errors, summary.Limited));
    }

    [Fact]
    public void Summarize_AMinuteLater_OldRequestsHaveLeftTheWindow()
    {
        var traffic = new LiveTraffic(_time);
        Record(traffic, _orders, 200, "ok", 10);
        _time.Advance(TimeSpan.FromSeconds(30));
        Record(traffic, _orders, 200, "ok", 10);

        _time.Advance(TimeSpan.FromSeconds(31));

        Assert.Equal(1, Summary(traffic, _orders).Requests);
    }

    [Fact]
    public void Summarize_PerSecond_OldestFirstEndingWithTheCurrentSecond()
    {
        var traffic = new LiveTraffic(_time);
        Record(traffic, _orders, 200, "ok", 10);
        _time.Advance(TimeSpan.FromSeconds(2));
        Record(traffic, _orders, 200, "ok", 10);
        Record(traffic, _orders, 200, "ok", 10);

        var perSecond = Summary(traffic, _orders).PerSecond;

        Assert.Equal(LiveTraffic.WindowSeconds, perSecond.Length);
        Assert.Equal([1L, 0L, 2L], perSecond[^3..]);
    }

    [Fact]
    public void Summarize_FastRequestsWithASlowTail_P50FastP95Slow()
    {
        var traffic = new LiveTraffic(_time);
        for (var i = 0; i < 100; i++)
        {
            Record(traffic, _orders, 200, "ok", i < 90 ? 4 : 900);
        }

        var summary = Summary(traffic, _orders);

        Assert.InRange(summary.P50Ms!.Value, 3, 5);
        Assert.InRange(summary.P95Ms!.Value, 750, 1000);
    }

    [Fact]
    public void Summarize_RouteWithoutRequests_ZerosAndNoPercentiles()
    {
        var traffic = new LiveTraffic(_time);

        var summary = new RouteTraffic().Summarize(traffic.NowSecond, 5);

        Assert.Equal((0L, (double?)null, (double?)null), (summary.Requests, summary.P50Ms, summary.P95Ms));
        Assert.All(summary.PerSecond, count => Assert.Equal(0, count));
    }

    [Fact]
    public void Record_AnonymousAndIdentifiedCallers_TopConsumersNameThemByAddressOrConsumer()
    {
        var traffic = new LiveTraffic(_time);

        Record(traffic, _orders, 200, "ok", 1, address: "203.0.113.7");
        Record(traffic, _orders, 200, "ok", 1, address: "203.0.113.7");
        Record(traffic, _orders, 429, "rate_limited", 1, address: "203.0.113.7");

        var caller = Assert.Single(Summary(traffic, _orders).TopConsumers);
        Assert.Equal(new ConsumerCount("203.0.113.7", IsAddress: true, 3, 1), caller);
    }

    [Fact]
    public void Record_NoRouteMatched_CountedAsUnmatchedNotUnderARoute()
    {
        var traffic = new LiveTraffic(_time);

        Record(traffic, route: null, 404, "route_not_found", 1);

        Assert.Equal(1, traffic.Unmatched.Summarize(traffic.NowSecond, 0).Requests);
        Assert.Null(traffic.Of("public/orders"));
    }

    [Fact]
    public void Record_RefusedOrFailedRequest_ListedWithItsTraceIdAndWhatHappened()
    {
        var traffic = new LiveTraffic(_time);

        Record(traffic, _orders, 504, "backend_timeout", 30_000, path: "/orders/42", traceId: "trace-1");

        var failure = Assert.Single(traffic.Failures.Newest());
        Assert.Equal(
            (_time.GetUtcNow(), "GET", "/orders/42", "public/orders", 504, "backend_timeout", "203.0.113.7", 30_000.0, "trace-1"),
            (failure.At, failure.Method, failure.Path, failure.Route, failure.Status, failure.Outcome, failure.Consumer, failure.ElapsedMs, failure.TraceId));
    }

    [Fact]
    public void Record_SuccessfulRequest_IsNotAFailure()
    {
        var traffic = new LiveTraffic(_time);

        Record(traffic, _orders, 404, "ok", 3);

        Assert.Empty(traffic.Failures.Newest());
    }

    [Fact]
    public void Record_MoreFailuresThanKept_OnlyTheNewestRemainNewestFirst()
    {
        var traffic = new LiveTraffic(_time);

        for (var i = 0; i < RecentFailures.Capacity + 10; i++)
        {
            Record(traffic, _orders, 502, "backend_unreachable", 1, traceId: "trace-" + i);
        }

        var failures = traffic.Failures.Newest();
        Assert.Equal(RecentFailures.Capacity, failures.Count);
        Assert.Equal("trace-" + (RecentFailures.Capacity + 9), failures[0].TraceId);
        Assert.Equal("trace-10", failures[^1].TraceId);
    }

    [Fact]
    public void Record_FailureWithAHugePath_PathIsCut()
    {
        var traffic = new LiveTraffic(_time);

        Record(traffic, route: null, 404, "route_not_found", 1, path: "/" + new string('a', 8000));

        var failure = Assert.Single(traffic.Failures.Newest());
        Assert.Equal(RecentFailures.MaxPathLength + 1, failure.Path.Length);
    }

    [Fact]
    public void Record_SuccessOnARouteAlreadyCountedThisSecond_AllocatesNothing()
    {
        var traffic = new LiveTraffic(_time);
        var context = Context("/orders/1", "203.0.113.7", "trace");
        var feature = new GatewayRequestFeature(GatewaySnapshot.Empty) { Route = _orders };
        traffic.Record(context, feature, 200, "ok", TimeSpan.FromMilliseconds(3));

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            traffic.Record(context, feature, 200, "ok", TimeSpan.FromMilliseconds(3));
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void ForgetRoutesNotIn_RouteLeftTheTables_ItsTrafficIsForgotten()
    {
        var traffic = new LiveTraffic(_time);
        Record(traffic, _orders, 200, "ok", 1);
        var withoutOrders = GatewaySnapshotBuilder.Build(
            "Routes", [new TableEntity("public", "other") { ["Path"] = "/other", ["Backend"] = "http://127.0.0.1:9" }],
            "Backends", [], GatewaySnapshot.Empty, _time.GetUtcNow());

        traffic.ForgetRoutesNotIn(withoutOrders);

        Assert.Null(traffic.Of("public/orders"));
    }

    private static RouteTrafficSummary Summary(LiveTraffic traffic, RouteDefinition route) =>
        (traffic.Of(route.Id.Key) ?? throw new Xunit.Sdk.XunitException($"No traffic for {route.Id.Key}.")).Summarize(traffic.NowSecond, 5);

    private static void Record(
        LiveTraffic traffic, RouteDefinition? route, int status, string outcome, double milliseconds,
        string path = "/orders/1", string address = "203.0.113.7", string traceId = "trace")
    {
        var feature = new GatewayRequestFeature(GatewaySnapshot.Empty) { Route = route };
        traffic.Record(Context(path, address, traceId), feature, status, outcome, TimeSpan.FromMilliseconds(milliseconds));
    }

    private static DefaultHttpContext Context(string path, string address, string traceId)
    {
        var context = new DefaultHttpContext { TraceIdentifier = traceId };
        context.Request.Method = "GET";
        context.Request.Path = path;
        context.Connection.RemoteIpAddress = IPAddress.Parse(address);
        return context;
    }
}
