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
        using var limiter = NewLimiter(_store);

        var decision = await limiter.CheckAsync(Request(), "r1", Policy("2/1m"), GatewayIdentity.Anonymous, default);

        Assert.True(decision.Admitted);
        Assert.Equal("\"2/1m\";q=2;w=60", decision.PolicyHeader);
        Assert.Equal("\"2/1m\";r=1;t=60", decision.StateHeader);
        Assert.Equal("ip:10.0.0.1", decision.Partition);
    }

    [Fact]
    public async Task Check_OverTheLimit_RejectedWithRetryAfterToTheWindowEndOrJustAfter()
    {
        using var limiter = NewLimiter(_store);
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
        using var limiter = NewLimiter(_store);
        var policy = Policy("5/1s,1/1h");
        await limiter.CheckAsync(Request(), "r1", policy, GatewayIdentity.Anonymous, default);

        var decision = await limiter.CheckAsync(Request(), "r1", policy, GatewayIdentity.Anonymous, default);

        Assert.False(decision.Admitted);
        Assert.Equal("\"5/1s\";q=5;w=1, \"1/1h\";q=1;w=3600", decision.PolicyHeader);
    }

    [Fact]
    public async Task Check_StoreDownFailureClosed_RejectedAsStoreUnavailable()
    {
        using var limiter = NewLimiter(new ResilientCounterStore(new FailingCounterStore(hang: false), _time));
        var policy = Policy("2/1m") with { Failure = RateLimitFailureMode.Closed };

        var decision = await limiter.CheckAsync(Request(), "r1", policy, GatewayIdentity.Anonymous, default);

        Assert.False(decision.Admitted);
        Assert.True(decision.StoreUnavailable);
    }

    [Fact]
    public async Task Check_Rejected_CountedInTheRejectionsMetricByRouteAndReason()
    {
        using var limiter = NewLimiter(_store);
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

    [Fact]
    public async Task Check_CallerPlanListed_GetsThePlansLimitsAndHeaders()
    {
        using var limiter = NewLimiter(_store);
        var policy = Policy("1/1m") with { Plans = [Plan("gold", "3/1m")] };

        var decisions = await CheckManyAsync(limiter, policy, Caller("gold"), 4);

        Assert.Equal([true, true, true, false], decisions.Select(d => d.Admitted));
        Assert.Equal("\"3/1m\";q=3;w=60", decisions[0].PolicyHeader);
    }

    [Fact]
    public async Task Check_CallerPlanInAnotherCase_IsTheListedPlan()
    {
        using var limiter = NewLimiter(_store);
        var policy = Policy("1/1m") with { Plans = [Plan("gold", "3/1m")] };

        var decision = await limiter.CheckAsync(Request(), "r1", policy, Caller("GOLD"), default);

        Assert.Equal("\"3/1m\";q=3;w=60", decision.PolicyHeader);
    }

    [Theory]
    [InlineData("silver")]
    [InlineData(null)]
    public async Task Check_CallerPlanNotListedOrNone_GetsTheRouteLimit(string? plan)
    {
        using var limiter = NewLimiter(_store);
        var policy = Policy("1/1m") with { Plans = [Plan("gold", "3/1m")] };

        var decisions = await CheckManyAsync(limiter, policy, Caller(plan), 2);

        Assert.Equal([true, false], decisions.Select(d => d.Admitted));
        Assert.Equal("\"1/1m\";q=1;w=60", decisions[0].PolicyHeader);
    }

    [Fact]
    public async Task Check_AnonymousCaller_GetsTheRouteLimit()
    {
        using var limiter = NewLimiter(_store);
        var policy = Policy("1/1m") with { Plans = [Plan("gold", "3/1m")] };

        var decisions = await CheckManyAsync(limiter, policy, GatewayIdentity.Anonymous, 2);

        Assert.Equal([true, false], decisions.Select(d => d.Admitted));
    }

    [Fact]
    public async Task Check_CallerPlanIsNone_AdmittedWithoutCountingOrHeaders()
    {
        using var limiter = NewLimiter(_store);
        var policy = Policy("1/1m") with { Plans = [Plan("internal", "none")] };

        var decisions = await CheckManyAsync(limiter, policy, Caller("internal"), 5);

        Assert.All(decisions, d => Assert.True(d.Admitted));
        Assert.All(decisions, d => Assert.Equal(string.Empty, d.PolicyHeader));
        Assert.Equal(0, _store.Operations);
    }

    [Fact]
    public async Task Check_PlanWithTheSameLimitAsTheRoute_CountedSeparately()
    {
        using var limiter = NewLimiter(_store);
        var policy = Policy("2/1m") with { KeySource = new RateLimitKeySource(RateLimitKeyKind.Route), Plans = [Plan("gold", "2/1m")] };
        await CheckManyAsync(limiter, policy, Caller(null), 2);

        var gold = await CheckManyAsync(limiter, policy, Caller("gold"), 3);

        Assert.Equal([true, true, false], gold.Select(d => d.Admitted));
    }

    [Fact]
    public async Task Sweep_RouteLimiterUnusedForAMinute_IsDisposed_WhileOneInUseStays()
    {
        using var limiter = NewLimiter(_store);
        await limiter.CheckAsync(Request(), "edited-away", Policy("2/1m"), GatewayIdentity.Anonymous, default);
        _time.Advance(TimeSpan.FromSeconds(110));
        await limiter.CheckAsync(Request(), "in-use", Policy("2/1m"), GatewayIdentity.Anonymous, default);

        _time.Advance(TimeSpan.FromSeconds(20));

        Assert.Equal(1, limiter.LimiterCount);
    }

    [Fact]
    public async Task Sweep_LocalRouteLimiter_KeptForTwoWindows_SoItsCountsAreNotLost()
    {
        using var limiter = NewLimiter(_store);
        var policy = Policy("1/1h") with { Mode = RateLimitMode.Local };
        await limiter.CheckAsync(Request(), "r1", policy, GatewayIdentity.Anonymous, default);
        _time.Advance(TimeSpan.FromMinutes(90));

        var again = await limiter.CheckAsync(Request(), "r1", policy, GatewayIdentity.Anonymous, default);
        _time.Advance(TimeSpan.FromHours(2) + GatewayRateLimiter.SweepInterval);

        Assert.False(again.Admitted);
        Assert.Equal(0, limiter.LimiterCount);
    }

    [Fact]
    public async Task Check_AfterItsLimiterWasSwept_CountsFromTheSharedCounters()
    {
        using var limiter = NewLimiter(_store);
        var policy = Policy("2/1h") with { Mode = RateLimitMode.Exact };
        await CheckManyAsync(limiter, policy, GatewayIdentity.Anonymous, 2);
        _time.Advance(TimeSpan.FromMinutes(2));
        var limitersAfterSweep = limiter.LimiterCount;

        var afterSweep = await limiter.CheckAsync(Request(), "r1", policy, GatewayIdentity.Anonymous, default);

        Assert.Equal(0, limitersAfterSweep);
        Assert.False(afterSweep.Admitted);
    }

    private static async Task<List<RateLimitDecision>> CheckManyAsync(GatewayRateLimiter limiter, RateLimitPolicy policy, GatewayIdentity caller, int count)
    {
        var decisions = new List<RateLimitDecision>();
        for (var i = 0; i < count; i++)
        {
            decisions.Add(await limiter.CheckAsync(Request(), "r1", policy, caller, default));
        }

        return decisions;
    }

    private static GatewayIdentity Caller(string? plan) => GatewayIdentity.FromApiKey("contoso", new string('a', 64), plan, []);

    private static RateLimitPlan Plan(string name, string limits) =>
        new(name, limits == "none" ? [] : [.. Policy(limits).Rules]);

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
