using Azure.Data.Tables;
using FunctionsGateway.HostEmulator.Tests.Infrastructure;
using FunctionsGateway.HostEmulator.Tests.Protocol;

namespace FunctionsGateway.HostEmulator.Tests;

/// <summary>The health-probe timer, invoked by the host over gRPC as when its schedule comes due.</summary>
[Collection(PublishedWorkerCollection.Name)]
public sealed class TimerTriggerTests(PublishedWorkerFixture worker)
{
    [Fact]
    public async Task HealthProbe_InvokedByTheHost_WritesTheBackendsHealthRow()
    {
        var response = await worker.Host.InvokeTimerAsync("HealthProbe");

        Assert.True(response.Result.Status == StatusResult.Types.Status.Success, $"HealthProbe failed: {response.Result.Exception?.Message}");
        var row = await Eventually.FindAsync(
            async () => (await worker.BackendHealth.GetEntityIfExistsAsync<TableEntity>("probed", "echo")) is { HasValue: true } found ? found.Value : null,
            "the BackendHealth row of probed/echo");
        Assert.Equal("probed", row.PartitionKey);
    }
}
