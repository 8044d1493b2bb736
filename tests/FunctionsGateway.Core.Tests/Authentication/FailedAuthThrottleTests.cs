using System.Net;
using FunctionsGateway.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace FunctionsGateway.Core.Tests.Authentication;

public sealed class FailedAuthThrottleTests
{
    private static readonly IPAddress Attacker = IPAddress.Parse("203.0.113.7");
    private static readonly IPAddress Neighbour = IPAddress.Parse("203.0.113.8");

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly CapturingLogger _logs = new();
    private readonly AuthenticationOptions _options = new()
    {
        MaxFailedAuthPerClient = 3,
        FailedAuthWindowSeconds = 60,
        FailedAuthTrackedClients = 100,
    };

    private FailedAuthThrottle? _throttle;

    private FailedAuthThrottle Throttle => _throttle ??= new FailedAuthThrottle(Options.Create(_options), _time, _logs.For<FailedAuthThrottle>());

    [Fact]
    public void ThrottledFor_FewerFailuresThanTheLimit_IsZero()
    {
        Fail(Attacker, times: 2);

        var throttledFor = Throttle.ThrottledFor(Attacker);

        Assert.Equal(TimeSpan.Zero, throttledFor);
    }

    [Fact]
    public void ThrottledFor_LimitReached_LastsUntilTheWindowThatBeganAtTheFirstFailureEnds()
    {
        Fail(Attacker, times: 1);
        _time.Advance(TimeSpan.FromSeconds(10));
        Fail(Attacker, times: 2);

        var atOnce = Throttle.ThrottledFor(Attacker);
        _time.Advance(TimeSpan.FromSeconds(49));
        var aSecondBeforeTheEnd = Throttle.ThrottledFor(Attacker);
        _time.Advance(TimeSpan.FromSeconds(1));
        var atTheEnd = Throttle.ThrottledFor(Attacker);

        Assert.Equal(TimeSpan.FromSeconds(50), atOnce);
        Assert.Equal(TimeSpan.FromSeconds(1), aSecondBeforeTheEnd);
        Assert.Equal(TimeSpan.Zero, atTheEnd);
    }

    [Fact]
    public void RecordFailure_AfterTheWindowEnded_CountsAfresh()
    {
        Fail(Attacker, times: 3);
        _time.Advance(TimeSpan.FromSeconds(60));

        Fail(Attacker, times: 2);

        Assert.Equal(TimeSpan.Zero, Throttle.ThrottledFor(Attacker));
        Fail(Attacker, times: 1);
        Assert.Equal(TimeSpan.FromSeconds(60), Throttle.ThrottledFor(Attacker));
    }

    [Fact]
    public void ThrottledFor_AnotherAddress_IsNotAffected()
    {
        Fail(Attacker, times: 3);

        var neighbour = Throttle.ThrottledFor(Neighbour);

        Assert.Equal(TimeSpan.Zero, neighbour);
    }

    [Fact]
    public void ThrottledFor_IPv4AndItsIPv4MappedIPv6Form_AreOneClient()
    {
        Fail(Attacker, times: 3);

        var mapped = Throttle.ThrottledFor(Attacker.MapToIPv6());

        Assert.True(mapped > TimeSpan.Zero);
    }

    [Fact]
    public void ThrottledFor_IPv6AddressesOfOneSlash64_AreOneClient()
    {
        Fail(IPAddress.Parse("2001:db8:1:2::1"), times: 1);
        Fail(IPAddress.Parse("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), times: 2);

        var sameSlash64 = Throttle.ThrottledFor(IPAddress.Parse("2001:db8:1:2:ffff::9"));
        var nextSlash64 = Throttle.ThrottledFor(IPAddress.Parse("2001:db8:1:3::1"));

        Assert.True(sameSlash64 > TimeSpan.Zero);
        Assert.Equal(TimeSpan.Zero, nextSlash64);
    }

    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    public void Describe_ClientKey_ReadsAsTheAddressOrTheSlash64(string address, string expected)
    {
        var key = FailedAuthThrottle.ClientKey(IPAddress.Parse(address));

        var text = FailedAuthThrottle.Describe(key);

        Assert.Equal(expected, text);
    }

    [Fact]
    public void RecordFailure_LimitZero_NeverThrottles()
    {
        _options.MaxFailedAuthPerClient = 0;

        Fail(Attacker, times: 1000);

        Assert.Equal(TimeSpan.Zero, Throttle.ThrottledFor(Attacker));
        Assert.Equal(0, Throttle.TrackedClients);
    }

    [Fact]
    public void RecordFailure_UnknownAddress_IsNotCounted()
    {
        Fail(null, times: 10);

        Assert.Equal(TimeSpan.Zero, Throttle.ThrottledFor(null));
        Assert.Equal(0, Throttle.TrackedClients);
    }

    [Fact]
    public void RecordFailure_ReachingTheLimit_WarnsOnceNamingTheAddress()
    {
        Fail(Attacker, times: 10);

        var warning = Assert.Single(_logs.Entries, e => e.Id.Id == 225);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Equal(
            "Client 203.0.113.7 failed authentication 3 times; for the next 60 s only credentials already known to this instance are checked, others are answered 429",
            warning.Message);
    }

    [Fact]
    public void RecordFailure_TableFull_ForgetsAddressesWhoseWindowEndedFirst()
    {
        _options.FailedAuthTrackedClients = 10;
        Fail(Attacker, times: 3);
        _time.Advance(TimeSpan.FromSeconds(30));
        for (var i = 0; i < 9; i++)
        {
            Fail(Address(i), times: 1);
        }

        _time.Advance(TimeSpan.FromSeconds(30));
        Fail(Neighbour, times: 1);

        Assert.Equal(10, Throttle.TrackedClients);
        Assert.Equal(TimeSpan.Zero, Throttle.ThrottledFor(Attacker));
    }

    [Fact]
    public void RecordFailure_TableFull_KeepsThrottledAddressesOverOthers()
    {
        _options.FailedAuthTrackedClients = 10;
        Fail(Attacker, times: 3);
        for (var i = 0; i < 9; i++)
        {
            Fail(Address(i), times: 1);
        }

        Fail(Neighbour, times: 1);

        Assert.Equal(2, Throttle.TrackedClients);
        Assert.True(Throttle.ThrottledFor(Attacker) > TimeSpan.Zero);
    }

    [Fact]
    public void RecordFailure_FloodFromEverMoreAddresses_NeverTracksMoreThanTheBound()
    {
        _options.FailedAuthTrackedClients = 10;
        var most = 0;

        for (var i = 0; i < 1000; i++)
        {
            Fail(Address(i), times: 3);
            most = Math.Max(most, Throttle.TrackedClients);
        }

        Assert.Equal(10, most);
        Assert.Contains(_logs.Entries, e => e.Id.Id == 227);
    }

    [Fact]
    public void ThrottledFor_TrackedAddress_AllocatesNothing()
    {
        Fail(Attacker, times: 3);
        Throttle.ThrottledFor(Attacker);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var throttledFor = Throttle.ThrottledFor(Attacker);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(throttledFor > TimeSpan.Zero);
        Assert.Equal(0, allocated);
    }

    private static IPAddress Address(int i) => new([198, 51, (byte)(i / 256), (byte)(i % 256)]);

    private void Fail(IPAddress? address, int times)
    {
        for (var i = 0; i < times; i++)
        {
            Throttle.RecordFailure(address);
        }
    }
}
