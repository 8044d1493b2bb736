using System.Net;
using System.Text.Json;
using FunctionsGateway.IntegrationTests.Infrastructure;

namespace FunctionsGateway.IntegrationTests.Configuration;

/// <summary>
/// While the first load of the tables has failed (tables missing, storage unreachable), requests are answered
/// 503 <c>configuration_not_loaded</c> with <c>Retry-After</c> at once, instead of each waiting
/// <c>InitialLoadWaitSeconds</c> for a load that is not coming. The wait is set to its maximum (25 s) and every
/// client gives up after 20 s, so a request that waited would fail the test.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class FirstLoadFailureTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan ShorterThanTheInitialLoadWait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task TablesMissing_RequestsGet503AtOnce_WithRetryAfter()
    {
        var tables = await TestTables.CreateAsync(azurite.ConnectionString);
        await using var gateway = await GatewayUnderTest.StartAsync(azurite.ConnectionString, tables, Settings(new()
        {
            ["Gateway:Tables:Routes"] = "Missing" + Guid.NewGuid().ToString("N")[..12],
        }));
        using var client = gateway.NewClient(ShorterThanTheInitialLoadWait);

        using var first = await client.GetAsync("/orders/1");
        using var second = await client.GetAsync("/orders/2");

        await AssertNotLoadedAsync(first);
        await AssertNotLoadedAsync(second);
        Assert.Contains("a table does not exist", (await gateway.StatusAsync()).GetProperty("storageError").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StorageUnreachable_RequestsGet503AtOnce_WithRetryAfter()
    {
        var tables = await TestTables.CreateAsync(azurite.ConnectionString);

        // Nothing listens on port 1 of loopback: every storage call is refused.
        var unreachable = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
            + "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
            + "TableEndpoint=http://127.0.0.1:1/devstoreaccount1;";
        await using var gateway = await GatewayUnderTest.StartAsync(unreachable, tables, Settings(new()));
        using var client = gateway.NewClient(ShorterThanTheInitialLoadWait);

        using var first = await client.GetAsync("/orders/1");
        using var second = await client.GetAsync("/orders/2");

        await AssertNotLoadedAsync(first);
        await AssertNotLoadedAsync(second);
    }

    [Fact]
    public async Task TablesCreatedLater_TheGatewayLoadsThemAndServes()
    {
        var tables = await TestTables.CreateAsync(azurite.ConnectionString);
        var routesName = "Late" + Guid.NewGuid().ToString("N")[..12];
        await using var gateway = await GatewayUnderTest.StartAsync(azurite.ConnectionString, tables, Settings(new() { ["Gateway:Tables:Routes"] = routesName }));
        using var client = gateway.NewClient(ShorterThanTheInitialLoadWait);
        await AssertNotLoadedAsync(await client.GetAsync("/hello"));

        var routes = new Azure.Data.Tables.TableClient(azurite.ConnectionString, routesName);
        await routes.CreateIfNotExistsAsync();
        await routes.UpsertEntityAsync(new Azure.Data.Tables.TableEntity("public", "hello") { ["Path"] = "/hello", ["ResponseBody"] = "hi" });

        using var served = await gateway.WaitForAsync(() => new HttpRequestMessage(HttpMethod.Get, "/hello"), r => r.StatusCode == HttpStatusCode.OK);
        Assert.Equal("hi", await served.Content.ReadAsStringAsync());
    }

    private static Dictionary<string, string?> Settings(Dictionary<string, string?> settings)
    {
        settings["Gateway:Configuration:InitialLoadWaitSeconds"] = "25";
        return settings;
    }

    private static async Task AssertNotLoadedAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"Expected 503, got {(int)response.StatusCode}: {body}");
        Assert.Equal("configuration_not_loaded", JsonDocument.Parse(body).RootElement.GetProperty("code").GetString());
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
    }
}
