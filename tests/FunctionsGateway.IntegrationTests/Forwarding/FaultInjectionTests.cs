using System.Diagnostics;
using System.Net;
using FunctionsGateway.DevHost.Samples;
using FunctionsGateway.IntegrationTests.Infrastructure;

namespace FunctionsGateway.IntegrationTests.Forwarding;

/// <summary>A route's Fault* columns through the gateway: injected aborts and delays, marked so chaos tests can tell them apart.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class FaultInjectionTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Get_AbortOnEveryRequest_AnsweredWithTheMarkedFaultWithoutCallingTheBackend()
    {
        using var faults = new MetricRecorder("gateway.faults.injected");
        var called = false;
        await using var backend = await TestBackend.StartAsync(_ =>
        {
            called = true;
            return Task.CompletedTask;
        });
        await using var gateway = await GatewayUnderTest.StartWithRowsAsync(azurite.ConnectionString, async t =>
            await t.AddRouteAsync("chaos", ("Path", "/chaos"), ("Backend", backend.Url.ToString()), ("FaultAbortPercent", 100), ("FaultAbortStatus", 500)));

        using var response = await gateway.Client.GetAsync("/chaos");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("abort", response.Headers.GetValues("X-Gateway-Fault").Single());
        Assert.Contains("\"code\":\"fault_injected\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(called);
        Assert.Equal(1, faults.Sum(("route", "public/chaos"), ("kind", "abort")));
    }

    [Fact]
    public async Task Get_DelayOnEveryRequest_ForwardedAfterTheDelayAndMarked()
    {
        await using var backend = await EchoBackend.StartAsync("slowed", "http://127.0.0.1:0");
        await using var gateway = await GatewayUnderTest.StartWithRowsAsync(azurite.ConnectionString, async t =>
            await t.AddRouteAsync("slowed", ("Path", "/slowed"), ("Backend", backend.Url.ToString()), ("FaultDelayPercent", 100), ("FaultDelayMs", 300)));
        var clock = Stopwatch.StartNew();

        using var response = await gateway.Client.GetAsync("/slowed");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(300), $"answered after {clock.Elapsed}");
        Assert.Equal("delay", response.Headers.GetValues("X-Gateway-Fault").Single());
        Assert.Equal("slowed", (await EchoReply.ReadAsync(response)).Service);
    }
}
