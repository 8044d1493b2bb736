using System.Net;

namespace FunctionsGateway.OperatorConsole;

/// <summary>One caller's counts in a <see cref="ConsumerTable"/>: a consumer id (string) or, for anonymous callers, a client address.</summary>
internal sealed class ConsumerSlot
{
    private long _requests;
    private long _limited;

    public ConsumerSlot(object key, int hash, bool limited)
    {
        Key = key;
        Hash = hash;
        _requests = 1;
        _limited = limited ? 1 : 0;
    }

    /// <summary>The consumer id, or the caller's <see cref="IPAddress"/>.</summary>
    public object Key { get; }

    public int Hash { get; }

    /// <summary>Requests counted, less what room-making took from it (so at most an undercount).</summary>
    public long Requests => Volatile.Read(ref _requests);

    /// <summary>Of those, requests refused by the route's rate limit.</summary>
    public long Limited => Volatile.Read(ref _limited);

    public static int HashOf(object key) => key.GetHashCode();

    public bool Matches(object key, int hash) =>
        Hash == hash && (key is string text ? Key is string own && string.Equals(own, text, StringComparison.Ordinal) : key.Equals(Key));

    public void Add(bool limited)
    {
        Interlocked.Increment(ref _requests);
        if (limited)
        {
            Interlocked.Increment(ref _limited);
        }
    }

    /// <summary>Takes one request off the count; returns what is left.</summary>
    public long Decrement() => Interlocked.Decrement(ref _requests);
}
