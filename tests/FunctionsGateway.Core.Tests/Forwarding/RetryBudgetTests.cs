using FunctionsGateway.Forwarding;
using Microsoft.Extensions.Time.Testing;

namespace FunctionsGateway.Core.Tests.Forwarding;

/// <summary>A route's retry budget: a floor per second plus a share of its requests of the last 10 seconds.</summary>
public sealed class RetryBudgetTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void TryWithdraw_NoTraffic_AllowsTheFloorOfTheWindow()
    {
        var budget = new RetryBudget(percent: 20, minPerSecond: 1, _time);

        var allowed = Withdrawals(budget, 20);

        Assert.Equal(10, allowed);
    }

    [Fact]
    public void TryWithdraw_WithRequests_AddsTheirShare()
    {
        var budget = new RetryBudget(percent: 20, minPerSecond: 0, _time);
        for (var i = 0; i < 100; i++)
        {
            budget.RecordRequest();
        }

        var allowed = Withdrawals(budget, 50);

        Assert.Equal(20, allowed);
    }

    [Fact]
    public void TryWithdraw_NoFloorAndNoShare_AllowsNone()
    {
        var budget = new RetryBudget(percent: 0, minPerSecond: 0, _time);
        budget.RecordRequest();

        Assert.False(budget.TryWithdraw());
    }

    [Fact]
    public void TryWithdraw_WindowPassed_TheBudgetIsBack()
    {
        var budget = new RetryBudget(percent: 0, minPerSecond: 1, _time);
        Withdrawals(budget, 10);
        Assert.False(budget.TryWithdraw());

        _time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(10, Withdrawals(budget, 20));
    }

    private static int Withdrawals(RetryBudget budget, int tries)
    {
        var allowed = 0;
        for (var i = 0; i < tries; i++)
        {
            allowed += budget.TryWithdraw() ? 1 : 0;
        }

        return allowed;
    }
}
