using System.Net;

namespace FunctionsGateway.OperatorConsole;

public sealed class ConsumerTableTests
{
    [Fact]
    public void Record_HostileNumberOfDistinctCallers_MemoryStaysFixedAndTheHeavyCallerIsKept()
    {
        var table = new ConsumerTable(period: 0);
        const int Requests = 200_000;
        long heavy = 0;

        // A flood of callers never seen twice (made-up keys or addresses), with one real caller sending a fifth of the requests.
        for (var i = 0; i < Requests; i++)
        {
            if (i % 5 == 0)
            {
                table.Record("mobile-app", limited: false);
                heavy++;
            }
            else
            {
                table.Record("junk-" + i, limited: false);
            }
        }

        var slots = table.Occupied().ToList();
        Assert.InRange(slots.Count, 1, ConsumerTable.Slots);
        var kept = Assert.Single(slots, s => Equals(s.Key, "mobile-app"));
        Assert.InRange(kept.Requests, heavy - (Requests / (ConsumerTable.Slots + 1)), heavy);
    }

    [Fact]
    public void Record_AFewCallers_EachCountedExactly()
    {
        var table = new ConsumerTable(period: 0);

        for (var i = 0; i < 30; i++)
        {
            table.Record(i % 3 == 0 ? "a" : "b", limited: i >= 27);
        }

        var counts = table.Occupied().ToDictionary(s => (string)s.Key, s => (s.Requests, s.Limited));
        Assert.Equal((10, 1), counts["a"]);
        Assert.Equal((20, 2), counts["b"]);
    }

    [Fact]
    public void Record_SameAddressFromTwoConnections_CountedAsOneCaller()
    {
        var table = new ConsumerTable(period: 0);

        table.Record(IPAddress.Parse("203.0.113.7"), limited: false);
        table.Record(IPAddress.Parse("203.0.113.7"), limited: false);

        var slot = Assert.Single(table.Occupied());
        Assert.Equal(2, slot.Requests);
    }

    [Fact]
    public void Record_ConsumerNamedLikeAnAddress_IsNotTheAddress()
    {
        var table = new ConsumerTable(period: 0);

        table.Record("203.0.113.7", limited: false);
        table.Record(IPAddress.Parse("203.0.113.7"), limited: false);

        Assert.Equal(2, table.Occupied().Count());
    }
}
