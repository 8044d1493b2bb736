using System.Net;
using System.Text.Json;
using FunctionsGateway.HostEmulator.Tests.Emulator;
using FunctionsGateway.HostEmulator.Tests.Infrastructure;

namespace FunctionsGateway.HostEmulator.Tests;

/// <summary>The operator console on Azure: the page and its data answer with the function key, as the status listing does.</summary>
[Collection(PublishedWorkerCollection.Name)]
public sealed class ConsoleFunctionTests(PublishedWorkerFixture worker)
{
    [Fact]
    public async Task ConsolePage_WithTheFunctionKey_IsTheHtmlPage()
    {
        using var client = worker.Host.CreateClient();

        using var response = await client.GetAsync("/_gateway?code=" + FunctionsHostEmulator.FunctionKey);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<html", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ConsoleData_WithTheFunctionKey_ListsTheSeededRoutes()
    {
        using var client = worker.Host.CreateClient();

        using var response = await client.GetAsync("/_gateway/console/data?code=" + FunctionsHostEmulator.FunctionKey);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var data = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("ok", data.GetProperty("status").GetString());
        Assert.Equal(4, data.GetProperty("routes").GetArrayLength());
    }

    [Theory]
    [InlineData("/_gateway")]
    [InlineData("/_gateway/console/data")]
    public async Task Console_WithoutTheFunctionKey_IsRefusedByTheHostBeforeTheWorker(string path)
    {
        using var client = worker.Host.CreateClient();

        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
