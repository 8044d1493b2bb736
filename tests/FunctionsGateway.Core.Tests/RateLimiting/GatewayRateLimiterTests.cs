using System.Diagnostics.Metrics;
using System.Net;
using FunctionsGateway.Authentication;
using FunctionsGateway.RateLimiting;
using FunctionsGateway.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace FunctionsGateway.Core.Tests.RateLimiting;

/// <summary>The request path's entry point: a decision with the draft headers, Retry-After and the key.</summary>
public sealed class GatewayRateLimiterTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
    private readonly ScriptedCounterStore _store = new();

    [Fact]
    public async Task Check_WithinTheLimit_AdmittedWithBothHeaders()
    {
        var limiter = NewLimiter(_store);

        var decision = await limiter.CheckAsync(Request(), "r1", Policy("2/1m"), GatewayIdentity.Anonymous, default);

        Assert.True(decision.Admitted);
        Assert.Equal("\"2/1m\";q=2;w=60", decision.PolicyHeader);
        Assert.Equal("\"2/1m\";r=1;t=60", decision.StateHeader);
        Assert.Equal("ip:10.0.0.1", decision.Partition);
    }

    [Fact]
    public async Task Check_OverTheLimit_RejectedWithRetryAfterToTheWindowEndOrJustAfter()
    {
        var limiter = NewLimiter(_store);
        var policy = Policy("2/1m");
        await limiter.CheckAsync(Request(), "r1", policy, GatewayIdentity.Anonymous, default);
        await limiter.CheckAsync(Request(), "r1", policy, GatewayIdentity.Anonymous, default);
        _time.Advance(TimeSpan.FromSeconds(20));

        var decision = await limiter.CheckAsync(Request(), "r1", policy, GatewayIdentity.Anonymous, default);

        // The window ends in 40 s; the instance claims again then, plus a random part of up to 3 s (a twentieth of the period).
        Assert.False(decision.Admitted);
        Assert.False(decision.StoreUnavailable);
        Assert.InRange(decision.RetryAfterSeconds, 40, 43);
        Assert.Equal("\"2/1m\";r=0;t=40", decision.StateHeader);
    }

    [Fact]
    public async Task Check_SecondLimitFull_Rejected()
    {
        var limiter = NewLimiter(_store);
        var policy = Policy("5/1s,1/1h");
        await limiter.CheckAsync(Request(), "r1", policy, GatewayIdentity.Anonymous, default);

        var decision = await limiter.CheckAsync(Request(), "r1", policy, GatewayIdentity.Anonymous, default);

        Assert.False(decision.Admitted);
        Assert.Equal("\"5/1s\";q=5;w=1, \"1/1h\";q=1;w=3600", decision.PolicyHeader);
    }

    [Fact]
    public async Task Check_StoreDownFailureClosed_RejectedAsStoreUnavailable()
    {
        var limiter = NewLimiter(new ResilientCounterStore(new FailingCounterStore(hang: false), _time));
        var policy = Policy("2/1m") with { Failure = RateLimitFailureMode.Closed };

        var decision = await limiter.CheckAsync(Request(), "r1", policy, GatewayIdentity.Anonymous, default);

        Assert.False(decision.Admitted);
        Assert.True(decision.StoreUnavailable);
    }

    [Fact]
    public async Task Check_Rejected_CountedInTheRejectionsMetricByRouteAndReason()
    {
        var limiter = NewLimiter(_store);
        var policy = Policy("1/1m");
        var rejections = new List<(long Value, string? Route, string? Reason)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == GatewayTelemetry.Name && instrument.Name == "gateway.ratelimit.rejections")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? route = null, reason = null;
            foreach (var tag in tags)
            {
                route = tag.Key == "route" ? tag.Value as string : route;
                reason = tag.Key == "reason" ? tag.Value as string : reason;
            }

            if (route == "metric-route")
            {
                lock (rejections)
                {
                    rejections.Add((value, route, reason));
                }
            }
        });
        listener.Start();
        await limiter.CheckAsync(Request(), "metric-route", policy, GatewayIdentity.Anonymous, default);

        await limiter.CheckAsync(Request(), "metric-route", policy, GatewayIdentity.Anonymous, default);

        Assert.Equal([(1L, "metric-route", "limit")], rejections);
    }

    private GatewayRateLimiter NewLimiter(IRateLimitCounterStore store) => new(store, _time, NullLogger<GatewayRateLimiter>.Instance);

    private static RateLimitPolicy Policy(string limits)
    {
        var rules = limits.Split(',').Select(text => RateLimitPolicyParser.TryParseRule(text, out var rule, out _) ? rule : throw new ArgumentException(text)).OrderBy(r => r.Window);
        return new RateLimitPolicy([.. rules], new RateLimitKeySource(RateLimitKeyKind.Ip), RateLimitMode.Leased, RateLimitFailureMode.Open);
    }

    private static DefaultHttpContext Request()
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse("10.0.0.1");
        return context;
    }
}
