namespace FunctionsGateway.OperatorConsole;

/// <summary>
/// The busiest callers of one route in one period, in a fixed number of slots whatever the number of distinct callers
/// (the Misra–Gries "frequent items" count): a caller already in a slot is counted there; a new caller takes a free
/// slot; when none is free, every slot gives up one request and slots that reach zero are freed, and the new caller
/// is not counted. Any caller with more than 1/(<see cref="Slots"/>+1) of the route's requests keeps its slot, and its
/// count is low by at most that share. Lock-free: racing updates can lose a count, never corrupt the table.
/// </summary>
internal sealed class ConsumerTable
{
    /// <summary>Slots per table; a power of two.</summary>
    public const int Slots = 16;

    private readonly ConsumerSlot?[] _slots = new ConsumerSlot?[Slots];

    public ConsumerTable(long period) => Period = period;

    /// <summary>The period counted (<see cref="TopConsumers.PeriodSeconds"/>-second periods).</summary>
    public long Period { get; }

    /// <summary>Counts one request of <paramref name="key"/>. Allocates only when a caller takes a free slot.</summary>
    public void Record(object key, bool limited)
    {
        var hash = ConsumerSlot.HashOf(key);
        var start = hash & (Slots - 1);
        var free = -1;
        for (var n = 0; n < Slots; n++)
        {
            var i = (start + n) & (Slots - 1);
            var slot = Volatile.Read(ref _slots[i]);
            if (slot is null)
            {
                free = free < 0 ? i : free;
            }
            else if (slot.Matches(key, hash))
            {
                slot.Add(limited);
                return;
            }
        }

        if (free >= 0 && Interlocked.CompareExchange(ref _slots[free], new ConsumerSlot(key, hash, limited), null) is null)
        {
            return;
        }

        for (var i = 0; i < Slots; i++)
        {
            var slot = Volatile.Read(ref _slots[i]);
            if (slot is not null && slot.Decrement() <= 0)
            {
                Interlocked.CompareExchange(ref _slots[i], null, slot);
            }
        }
    }

    /// <summary>The occupied slots.</summary>
    public IEnumerable<ConsumerSlot> Occupied()
    {
        for (var i = 0; i < Slots; i++)
        {
            if (Volatile.Read(ref _slots[i]) is { } slot)
            {
                yield return slot;
            }
        }
    }
}
