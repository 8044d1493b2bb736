using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FunctionsGateway.Authentication;

/// <summary>
/// Counts failed authentications per client address, in memory, so that one address cannot make the gateway
/// read storage or check signatures without end. After <see cref="AuthenticationOptions.MaxFailedAuthPerClient"/>
/// failures within <see cref="AuthenticationOptions.FailedAuthWindowSeconds"/> (a window that starts at the
/// address's first failure), the address is throttled until the window ends: <see cref="GatewayAuthenticator"/>
/// then serves only credentials it already holds in memory and answers the rest 429 without examining them.
/// </summary>
/// <remarks>
/// An address is the connection's remote address: IPv4 (IPv4-mapped IPv6 counts as IPv4) exactly, IPv6 by its
/// /64 prefix, because one subscriber usually gets a whole /64 and could otherwise rotate through it. Reading
/// is lock-free and allocation-free; recording a failure takes a lock (failures only). At most
/// <see cref="AuthenticationOptions.FailedAuthTrackedClients"/> addresses are remembered.
/// </remarks>
internal sealed partial class FailedAuthThrottle
{
    private readonly ConcurrentDictionary<UInt128, ClientRecord> _clients = new();
    private readonly Lock _writeLock = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int _limit;
    private readonly long _windowTicks;
    private readonly int _capacity;
    private readonly int _roomAfterEviction;
    private int _tracked;

    public FailedAuthThrottle(IOptions<AuthenticationOptions> options, TimeProvider time, ILogger<FailedAuthThrottle> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        var settings = options.Value;
        _time = time;
        _logger = logger;
        _limit = settings.MaxFailedAuthPerClient;
        _windowTicks = TimeSpan.FromSeconds(settings.FailedAuthWindowSeconds).Ticks;
        _capacity = settings.FailedAuthTrackedClients;

        // Evicting must free a tenth of the table, or every new address would pay for a full scan.
        _roomAfterEviction = _capacity - Math.Max(1, _capacity / 10);
    }

    /// <summary>How many client addresses are remembered now.</summary>
    public int TrackedClients => Volatile.Read(ref _tracked);

    /// <summary>
    /// How long <paramref name="address"/> stays throttled; <see cref="TimeSpan.Zero"/> when it is not (and
    /// always when the throttle is off or the address is unknown).
    /// </summary>
    public TimeSpan ThrottledFor(IPAddress? address)
    {
        if (_limit == 0 || address is null || Volatile.Read(ref _tracked) == 0
            || !_clients.TryGetValue(ClientKey(address), out var client))
        {
            return TimeSpan.Zero;
        }

        // The window before the count: RecordFailure resets the count before it moves the window, so a
        // new window is never paired with the old window's count.
        var windowEnds = Volatile.Read(ref client.WindowEndsTicks);
        if (Volatile.Read(ref client.Failures) < _limit)
        {
            return TimeSpan.Zero;
        }

        var left = windowEnds - _time.GetUtcNow().UtcTicks;
        return left > 0 ? TimeSpan.FromTicks(left) : TimeSpan.Zero;
    }

    /// <summary>Counts one failed authentication (a rejected credential) from <paramref name="address"/>.</summary>
    public void RecordFailure(IPAddress? address)
    {
        if (_limit == 0 || address is null)
        {
            return;
        }

        var key = ClientKey(address);
        var now = _time.GetUtcNow().UtcTicks;
        int failures;
        long windowEnds;
        var forgotAll = false;
        lock (_writeLock)
        {
            if (!_clients.TryGetValue(key, out var client))
            {
                if (_tracked >= _capacity)
                {
                    forgotAll = MakeRoom(now);
                }

                client = new ClientRecord();
                _clients[key] = client;
                Volatile.Write(ref _tracked, _tracked + 1);
            }

            if (client.WindowEndsTicks <= now)
            {
                Volatile.Write(ref client.Failures, 0);
                Volatile.Write(ref client.WindowEndsTicks, now + _windowTicks);
            }

            failures = client.Failures + 1;
            Volatile.Write(ref client.Failures, failures);
            windowEnds = client.WindowEndsTicks;
        }

        if (forgotAll)
        {
            Log.ForgotAllClients(_logger, _capacity);
        }

        if (failures == _limit)
        {
            Log.Throttling(_logger, Describe(key), failures, (int)Math.Ceiling(TimeSpan.FromTicks(windowEnds - now).TotalSeconds));
        }
    }

    /// <summary>
    /// The key an address is counted under: IPv4 addresses as IPv4-mapped IPv6, other IPv6 addresses with their
    /// last 64 bits cleared.
    /// </summary>
    internal static UInt128 ClientKey(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        bytes.Clear();
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            bytes[10] = 0xff;
            bytes[11] = 0xff;
            address.TryWriteBytes(bytes[12..], out _);
        }
        else
        {
            address.TryWriteBytes(bytes, out _);
            if (!address.IsIPv4MappedToIPv6)
            {
                bytes[8..].Clear();
            }
        }

        return BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    /// <summary>How a key reads in logs: the IPv4 address, or the IPv6 /64 prefix.</summary>
    internal static string Describe(UInt128 key)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, key);
        var address = new IPAddress(bytes);
        return address.IsIPv4MappedToIPv6 ? address.MapToIPv4().ToString() : address + "/64";
    }

    // Called under the write lock with the table full. Returns whether it had to forget every address.
    private bool MakeRoom(long now)
    {
        foreach (var (key, client) in _clients)
        {
            if (client.WindowEndsTicks <= now && _clients.TryRemove(key, out _))
            {
                _tracked--;
            }
        }

        // Throttled addresses are the ones worth remembering; forget the others next.
        if (_tracked > _roomAfterEviction)
        {
            foreach (var (key, client) in _clients)
            {
                if (client.Failures < _limit && _clients.TryRemove(key, out _))
                {
                    _tracked--;
                }
            }
        }

        if (_tracked <= _roomAfterEviction)
        {
            Volatile.Write(ref _tracked, _tracked);
            return false;
        }

        // As many throttled addresses as the table holds: forgetting them all costs at most one more window of
        // attempts each, and keeps memory bounded whatever the number of attackers.
        _clients.Clear();
        Volatile.Write(ref _tracked, 0);
        return true;
    }

    private sealed class ClientRecord
    {
        // Fields rather than properties so they can be read and written with Volatile; written under the lock.
#pragma warning disable SA1401, CA1051
        public long WindowEndsTicks;
        public int Failures;
#pragma warning restore SA1401, CA1051
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 225, Level = LogLevel.Warning, Message = "Client {Client} failed authentication {Failures} times; for the next {Seconds} s only credentials already known to this instance are checked, others are answered 429")]
        public static partial void Throttling(ILogger logger, string client, int failures, int seconds);

        [LoggerMessage(EventId = 227, Level = LogLevel.Warning, Message = "Nearly all of the {Capacity} tracked client addresses were throttled at once; all were forgotten to keep memory bounded. Raise Gateway:Authentication:FailedAuthTrackedClients if this repeats without an attack")]
        public static partial void ForgotAllClients(ILogger logger, int capacity);
    }
}
