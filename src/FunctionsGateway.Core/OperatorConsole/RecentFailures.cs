namespace FunctionsGateway.OperatorConsole;

/// <summary>The last <see cref="Capacity"/> failures, in a ring: adding one is an interlocked increment and a write.</summary>
internal sealed class RecentFailures
{
    /// <summary>How many failures are kept.</summary>
    public const int Capacity = 50;

    /// <summary>Paths longer than this are cut, so a flood of long paths holds little memory.</summary>
    public const int MaxPathLength = 200;

    private readonly RecentFailure?[] _ring = new RecentFailure?[Capacity];
    private long _next;

    /// <summary>The sequence number the next failure gets.</summary>
    public long NextSequence() => Interlocked.Increment(ref _next) - 1;

    public void Add(RecentFailure failure) => Volatile.Write(ref _ring[failure.Sequence % Capacity], failure);

    /// <summary>The failures kept, newest first.</summary>
    public IReadOnlyList<RecentFailure> Newest()
    {
        var kept = new List<RecentFailure>(Capacity);
        foreach (var entry in _ring)
        {
            if (entry is { } failure)
            {
                kept.Add(failure);
            }
        }

        kept.Sort((a, b) => b.Sequence.CompareTo(a.Sequence));
        return kept;
    }
}
