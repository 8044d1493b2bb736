using System.Net;
using FunctionsGateway.Forwarding;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging.Abstractions;

namespace FunctionsGateway.Core.Tests.Forwarding;

/// <summary>
/// The connect step refuses what row validation cannot see: a backend name that resolves to a metadata or
/// link-local address, and the gateway's own listening address. Names are resolved by a fake resolver; no
/// traffic is sent to any of these addresses.
/// </summary>
public sealed class BackendConnectGuardTests
{
    [Theory]
    [InlineData("169.254.169.254")]
    [InlineData("fe80::1")]
    [InlineData("fd00:ec2::254")]
    [InlineData("100.100.100.200")]
    [InlineData("::ffff:169.254.169.254")]
    public async Task Connect_NameResolvingToAMetadataAddress_IsRefusedBeforeAnyConnection(string resolved)
    {
        var guard = Guard(resolve: (_, _) => Task.FromResult(new[] { IPAddress.Parse(resolved) }));

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => guard.ConnectAsync(new DnsEndPoint("orders.contoso.test", 80), CancellationToken.None).AsTask());

        Assert.Contains($"refused to connect to orders.contoso.test:80: it resolves to {IPAddress.Parse(resolved)}", error.Message, StringComparison.Ordinal);
        Assert.Contains("Gateway__Forwarding__AllowLinkLocalBackends=true", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refusal_OneOfSeveralAddressesIsLinkLocal_RefusesTheName()
    {
        var guard = Guard();

        var reason = guard.Refusal([IPAddress.Parse("10.0.0.4"), IPAddress.Parse("169.254.1.1")], 80);

        Assert.NotNull(reason);
    }

    [Fact]
    public void Refusal_LinkLocalAllowedBySetting_IsAllowed()
    {
        var guard = Guard(allowLinkLocal: true);

        var reason = guard.Refusal([IPAddress.Parse("169.254.169.254")], 80);

        Assert.Null(reason);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    public void Refusal_LoopbackOnAPortTheGatewayListensOn_IsALoop(string address)
    {
        var guard = Guard(listening: ["http://127.0.0.1:7071"]);

        var reason = guard.Refusal([IPAddress.Parse(address)], 7071);

        Assert.Equal($"{IPAddress.Parse(address)}:7071 is the gateway's own listening address, so the request would loop; set Gateway__Forwarding__AllowSelfForwarding=true if this is really meant", reason);
    }

    [Fact]
    public void Refusal_LoopbackOnAnotherPort_IsAllowed()
    {
        var guard = Guard(listening: ["http://127.0.0.1:7071", "http://[::1]:7071"]);

        var reason = guard.Refusal([IPAddress.Loopback], 7081);

        Assert.Null(reason);
    }

    [Fact]
    public void Refusal_SelfForwardingAllowedBySetting_IsAllowed()
    {
        var guard = Guard(listening: ["http://localhost:7071"], allowSelf: true);

        var reason = guard.Refusal([IPAddress.Loopback], 7071);

        Assert.Null(reason);
    }

    [Fact]
    public void Refusal_NameWithoutAddresses_IsRefused()
    {
        var guard = Guard();

        var reason = guard.Refusal([], 80);

        Assert.Equal("the name resolves to no address", reason);
    }

    private static BackendConnectGuard Guard(
        bool allowLinkLocal = false, bool allowSelf = false, string[]? listening = null,
        Func<string, CancellationToken, Task<IPAddress[]>>? resolve = null) =>
        new(allowLinkLocal, allowSelf, listening is null ? null : new FakeServer(listening), NullLogger.Instance, resolve);

    private sealed class FakeServer : IServer
    {
        public FakeServer(string[] addresses)
        {
            var feature = new ServerAddressesFeature();
            foreach (var address in addresses)
            {
                feature.Addresses.Add(address);
            }

            Features.Set<IServerAddressesFeature>(feature);
        }

        public IFeatureCollection Features { get; } = new FeatureCollection();

        public void Dispose()
        {
        }

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
            where TContext : notnull => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class ServerAddressesFeature : IServerAddressesFeature
    {
        public ICollection<string> Addresses { get; } = [];

        public bool PreferHostingUrls { get; set; }
    }
}
