using System.Net;

namespace FunctionsGateway.OperatorConsole;

/// <summary>
/// A route's busiest callers over the last 30 to 60 seconds: a <see cref="ConsumerTable"/> per 30-second period, the
/// current one and the one before, so memory stays at two tables however many callers there are.
/// </summary>
internal sealed class TopConsumers
{
    /// <summary>The length of one period.</summary>
    public const int PeriodSeconds = 30;

    private ConsumerTable _current = new(long.MinValue);
    private ConsumerTable? _previous;

    /// <summary>Counts one request of <paramref name="key"/> (a consumer id or an <see cref="IPAddress"/>) in the period of <paramref name="second"/>.</summary>
    public void Record(long second, object key, bool limited)
    {
        var period = second / PeriodSeconds;
        var table = Volatile.Read(ref _current);
        if (table.Period != period)
        {
            table = Roll(table, period);
        }

        table.Record(key, limited);
    }

    /// <summary>The <paramref name="count"/> busiest callers of the current and the previous period, busiest first.</summary>
    public IReadOnlyList<ConsumerCount> Top(long nowSecond, int count)
    {
        var period = nowSecond / PeriodSeconds;
        var totals = new Dictionary<object, (long Requests, long Limited)>();
        foreach (var table in new[] { Volatile.Read(ref _current), Volatile.Read(ref _previous) })
        {
            if (table is null || table.Period < period - 1 || table.Period > period)
            {
                continue;
            }

            foreach (var slot in table.Occupied())
            {
                var (requests, limited) = totals.GetValueOrDefault(slot.Key);
                totals[slot.Key] = (requests + slot.Requests, limited + slot.Limited);
            }
        }

        return [.. totals.Where(t => t.Value.Requests > 0)
            .OrderByDescending(t => t.Value.Requests)
            .Take(count)
            .Select(t => new ConsumerCount(NameOf(t.Key), t.Key is IPAddress, t.Value.Requests, t.Value.Limited))];
    }

    private static string NameOf(object key) => key is IPAddress { IsIPv4MappedToIPv6: true } mapped ? mapped.MapToIPv4().ToString() : key.ToString() ?? string.Empty;

    private ConsumerTable Roll(ConsumerTable seen, long period)
    {
        var fresh = new ConsumerTable(period);
        var current = Interlocked.CompareExchange(ref _current, fresh, seen);
        if (!ReferenceEquals(current, seen))
        {
            return current;
        }

        Volatile.Write(ref _previous, seen);
        return fresh;
    }
}
