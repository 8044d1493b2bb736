using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using FunctionsGateway.HostEmulator.Tests.Emulator;
using FunctionsGateway.HostEmulator.Tests.Infrastructure;

namespace FunctionsGateway.HostEmulator.Tests;

/// <summary>
/// Shutdown as the host does it when an instance is recycled or scaled in: WorkerTerminate with a grace period.
/// A request in flight at that moment is finished, not cut off; then the worker exits by itself.
/// </summary>
[Collection(PublishedWorkerCollection.Name)]
public sealed class ShutdownTests(PublishedWorkerFixture worker)
{
    [Fact]
    public async Task WorkerTerminate_WhileARequestIsInFlight_FinishesItThenExitsCleanly()
    {
        await using var host = await PublishedWorkerFixture.StartHostAsync(InfraAppSettings.ForEmulator(worker.AzuriteConnectionString));
        using var client = host.CreateClient();
        var inFlight = client.GetAsync("/stream/in-flight");
        await worker.Held.WaitForArrivalAsync(inFlight);

        var shutdown = host.ShutdownAsync(TimeSpan.FromSeconds(30));
        await WaitUntilTheWorkerStopsAcceptingAsync(new Uri(host.Capabilities["HttpUri"]));
        worker.Held.Release();
        using var response = await inFlight;
        var exitCode = await shutdown;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("first\nsecond\n", await response.Content.ReadAsStringAsync());
        Assert.True(exitCode == 0, $"The worker exited with {exitCode?.ToString() ?? "nothing (killed after the grace period)"}:\n{host.WorkerOutput}");
    }

    /// <summary>Shutdown has begun once the worker's Kestrel refuses new connections (it keeps serving the ones it has).</summary>
    private static async Task WaitUntilTheWorkerStopsAcceptingAsync(Uri workerHttp)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            using var probe = new TcpClient();
            try
            {
                await probe.ConnectAsync(IPAddress.Loopback, workerHttp.Port);
            }
            catch (SocketException)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException($"The worker still accepted connections on {workerHttp} 20 s after WorkerTerminate.");
    }
}
