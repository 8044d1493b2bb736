using System.Net;
using System.Text.Json;
using FunctionsGateway.HostEmulator.Tests.Emulator;
using FunctionsGateway.HostEmulator.Tests.Infrastructure;

namespace FunctionsGateway.HostEmulator.Tests;

/// <summary>The status function: its literal route wins over the catch-all, and the host asks for a function key.</summary>
[Collection(PublishedWorkerCollection.Name)]
public sealed class StatusFunctionTests(PublishedWorkerFixture worker)
{
    [Fact]
    public async Task Status_WithTheFunctionKey_AnswersTheListingOfTheSeededTables()
    {
        using var client = worker.Host.CreateClient();

        using var response = await client.GetAsync("/_gateway/status?code=" + FunctionsHostEmulator.FunctionKey);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(4, status.GetProperty("routes").GetInt32());
        Assert.Equal(0, status.GetProperty("errors").GetInt32());
        var invocation = await Eventually.FindAsync(() => worker.Host.HttpInvocations.LastOrDefault(i => i.Function == "GatewayStatus"), "the GatewayStatus invocation");
        Assert.NotNull(invocation.Response);
    }

    [Fact]
    public async Task Status_WithoutTheFunctionKey_IsRefusedByTheHostBeforeTheWorker()
    {
        using var client = worker.Host.CreateClient();
        var statusInvocations = worker.Host.HttpInvocations.Count(i => i.Function == "GatewayStatus");

        using var response = await client.GetAsync("/_gateway/status");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(statusInvocations, worker.Host.HttpInvocations.Count(i => i.Function == "GatewayStatus"));
    }
}
