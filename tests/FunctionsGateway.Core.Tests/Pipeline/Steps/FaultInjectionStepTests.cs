using FunctionsGateway.Forwarding;
using FunctionsGateway.Pipeline;
using FunctionsGateway.Pipeline.Steps;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static FunctionsGateway.Core.Tests.Pipeline.Steps.StepTestContext;
using static FunctionsGateway.Routing.TestRoutes;

namespace FunctionsGateway.Core.Tests.Pipeline.Steps;

/// <summary>
/// Fault injection: a request whose roll falls within the route's percentage gets the fault, marked so a chaos test can tell
/// it from a real failure; the rolls are the test's own, so the rates are exact.
/// </summary>
public sealed class FaultInjectionStepTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly ScriptedRandom _random = new();
    private readonly FaultInjectionStep _step;

    public FaultInjectionStepTests() => _step = new FaultInjectionStep(_time, NullLogger<FaultInjectionStep>.Instance, _random);

    [Fact]
    public async Task InvokeAsync_RouteWithoutFaults_ContinuesWithoutRolling()
    {
        var result = await _step.InvokeAsync(Request("GET", "/orders"), FeatureFor(Route("/orders")));

        Assert.Equal((false, null), (result.Ended, result.Error));
        Assert.Equal(0, _random.Rolls);
    }

    [Theory]
    [InlineData(0.099, true)]
    [InlineData(0.1, false)]
    public async Task InvokeAsync_AbortTenPercent_AbortsExactlyTheRollsBelowTenPercent(double roll, bool aborted)
    {
        _random.Roll = roll;
        var route = Route("/orders") with { Faults = new FaultInjection(10, 500, 0, TimeSpan.Zero) };

        var result = await _step.InvokeAsync(Request("GET", "/orders"), FeatureFor(route));

        Assert.Equal(aborted, result.Error is not null);
        if (aborted)
        {
            Assert.Equal((500, "fault_injected"), (result.Error!.Status, result.Error.Code));
            Assert.Contains(result.Error.Headers, h => h.Key == "X-Gateway-Fault" && h.Value == "abort");
        }
    }

    [Fact]
    public async Task InvokeAsync_DelayChosen_WaitsTheDelayThenContinuesMarked()
    {
        _random.Roll = 0.2;
        var route = Route("/orders") with { Faults = new FaultInjection(0, 503, 50, TimeSpan.FromMilliseconds(300)) };
        var context = Request("GET", "/orders");

        var pending = _step.InvokeAsync(context, FeatureFor(route)).AsTask();
        Assert.False(pending.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(300));
        var result = await pending;

        Assert.Equal((false, null), (result.Ended, result.Error));
        Assert.Equal("delay", context.Response.Headers["X-Gateway-Fault"]);
    }

    [Fact]
    public async Task InvokeAsync_DelayNotChosen_ContinuesAtOnce()
    {
        _random.Roll = 0.5;
        var route = Route("/orders") with { Faults = new FaultInjection(0, 503, 50, TimeSpan.FromMilliseconds(300)) };

        var pending = _step.InvokeAsync(Request("GET", "/orders"), FeatureFor(route));

        Assert.True(pending.IsCompleted);
    }

    /// <summary>A random source that rolls what the test says.</summary>
    private sealed class ScriptedRandom : Random
    {
        public double Roll { get; set; }

        public int Rolls { get; private set; }

        public override double NextDouble()
        {
            Rolls++;
            return Roll;
        }
    }
}
