using System.Net;

namespace FunctionsGateway.OperatorConsole;

public sealed class TopConsumersTests
{
    [Fact]
    public void Top_CallersOfThisAndThePreviousPeriod_BusiestFirstAndSummedAcrossPeriods()
    {
        var consumers = new TopConsumers();
        Record(consumers, second: 10, "partner", times: 3);
        Record(consumers, second: 40, "partner", times: 2);
        Record(consumers, second: 40, "mobile-app", times: 4);

        var top = consumers.Top(nowSecond: 45, count: 5);

        Assert.Equal([("partner", 5L), ("mobile-app", 4L)], top.Select(c => (c.Name, c.Requests)));
    }

    [Fact]
    public void Top_PeriodsLater_OldCallersAreGone()
    {
        var consumers = new TopConsumers();
        Record(consumers, second: 10, "partner", times: 3);

        var top = consumers.Top(nowSecond: 10 + (2 * TopConsumers.PeriodSeconds), count: 5);

        Assert.Empty(top);
    }

    [Fact]
    public void Top_MoreCallersThanAsked_OnlyTheBusiest()
    {
        var consumers = new TopConsumers();
        for (var caller = 1; caller <= 8; caller++)
        {
            Record(consumers, second: 1, "caller-" + caller, times: caller);
        }

        var top = consumers.Top(nowSecond: 1, count: 3);

        Assert.Equal(["caller-8", "caller-7", "caller-6"], top.Select(c => c.Name));
    }

    [Fact]
    public void Top_AnonymousCallerOnAnIPv4MappedAddress_ShownAsIPv4Address()
    {
        var consumers = new TopConsumers();
        consumers.Record(1, IPAddress.Parse("::ffff:203.0.113.7"), limited: true);

        var caller = Assert.Single(consumers.Top(nowSecond: 1, count: 5));

        Assert.Equal(("203.0.113.7", true, 1L, 1L), (caller.Name, caller.IsAddress, caller.Requests, caller.Limited));
    }

    private static void Record(TopConsumers consumers, long second, string consumer, int times)
    {
        for (var i = 0; i < times; i++)
        {
            consumers.Record(second, consumer, limited: false);
        }
    }
}
