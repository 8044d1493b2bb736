using FunctionsGateway.Forwarding;
using Microsoft.Extensions.Time.Testing;

namespace FunctionsGateway.Core.Tests.Forwarding;

/// <summary>The timer-driven sources behind the routes' request deadlines, and their reuse.</summary>
public sealed class RequestDeadlinesTests
{
    [Fact]
    public void Start_TheDeadlinePasses_TheTokenIsCancelled()
    {
        var time = new FakeTimeProvider();
        var deadlines = new RequestDeadlines(time);
        var source = deadlines.Start(TimeSpan.FromSeconds(5));

        time.Advance(TimeSpan.FromSeconds(5));

        Assert.True(source.Token.IsCancellationRequested);
    }

    [Fact]
    public void Start_BeforeTheDeadline_TheTokenIsNotCancelled()
    {
        var time = new FakeTimeProvider();
        var deadlines = new RequestDeadlines(time);
        var source = deadlines.Start(TimeSpan.FromSeconds(5));

        time.Advance(TimeSpan.FromSeconds(4));

        Assert.False(source.Token.IsCancellationRequested);
    }

    [Fact]
    public void Disarm_TheResponseStarted_TheDeadlineNoLongerFires()
    {
        var time = new FakeTimeProvider();
        var deadlines = new RequestDeadlines(time);
        var source = deadlines.Start(TimeSpan.FromSeconds(5));

        RequestDeadlines.Disarm(source);
        time.Advance(TimeSpan.FromMinutes(10));

        Assert.False(source.Token.IsCancellationRequested);
    }

    [Fact]
    public void Return_ASourceThatNeverFired_ServesTheNextRequestWithItsOwnDeadline()
    {
        var time = new FakeTimeProvider();
        var deadlines = new RequestDeadlines(time);
        var first = deadlines.Start(TimeSpan.FromSeconds(5));
        deadlines.Return(first);

        var second = deadlines.Start(TimeSpan.FromSeconds(30));
        time.Advance(TimeSpan.FromSeconds(10));

        Assert.False(second.Token.IsCancellationRequested);
        time.Advance(TimeSpan.FromSeconds(20));
        Assert.True(second.Token.IsCancellationRequested);
    }

    [Fact]
    public void Return_ASourceThatFired_IsNeverHandedOutAgain()
    {
        var time = new FakeTimeProvider();
        var deadlines = new RequestDeadlines(time);
        var fired = deadlines.Start(TimeSpan.FromSeconds(1));
        time.Advance(TimeSpan.FromSeconds(1));

        deadlines.Return(fired);
        var next = deadlines.Start(TimeSpan.FromSeconds(30));

        Assert.NotSame(fired, next);
        Assert.False(next.Token.IsCancellationRequested);
    }
}
