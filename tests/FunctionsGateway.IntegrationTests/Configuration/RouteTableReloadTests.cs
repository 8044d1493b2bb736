using System.Net;
using FunctionsGateway.DevHost.Samples;
using FunctionsGateway.IntegrationTests.Infrastructure;

namespace FunctionsGateway.IntegrationTests.Configuration;

/// <summary>Operators edit rows in Table Storage while the gateway runs; edits apply within the refresh interval, no restart.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class RouteTableReloadTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task RouteRow_AddedChangedAndDeleted_TakesEffectWithoutRestart()
    {
        await using var v1 = await EchoBackend.StartAsync("v1", "http://127.0.0.1:0");
        await using var v2 = await EchoBackend.StartAsync("v2", "http://127.0.0.1:0");
        var tables = await TestTables.CreateAsync(azurite.ConnectionString);
        await using var gateway = await GatewayUnderTest.StartAsync(azurite.ConnectionString, tables);
        var get = () => new HttpRequestMessage(HttpMethod.Get, "/orders/1");
        Assert.Equal(HttpStatusCode.NotFound, (await gateway.Client.SendAsync(get())).StatusCode);

        await tables.AddRouteAsync("orders", ("Path", "/orders/{id}"), ("Backend", v1.Url.ToString()));
        var added = await gateway.WaitForAsync(get, r => r.StatusCode == HttpStatusCode.OK);
        Assert.Contains("\"service\": \"v1\"", await added.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        await tables.AddRouteAsync("orders", ("Path", "/orders/{id}"), ("Backend", v2.Url.ToString()));
        await gateway.WaitForAsync(get, r => r.StatusCode == HttpStatusCode.OK && r.Content.ReadAsStringAsync().Result.Contains("\"service\": \"v2\"", StringComparison.Ordinal));

        await tables.DeleteRouteAsync("orders");
        await gateway.WaitForAsync(get, r => r.StatusCode == HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task InvalidRows_AreReportedWhileValidRowsServe()
    {
        await using var backend = await EchoBackend.StartAsync("good", "http://127.0.0.1:0");
        var tables = await TestTables.CreateAsync(azurite.ConnectionString);
        await tables.AddRouteAsync("good", ("Path", "/good"), ("Backend", backend.Url.ToString()));
        await tables.AddRouteAsync("bad-template", ("Path", "/orders/{id"), ("Backend", backend.Url.ToString()));
        await tables.AddRouteAsync("bad-url", ("Path", "/bad-url"), ("Backend", "not-a-url"));
        await tables.AddRouteAsync("unknown-pool", ("Path", "/unknown-pool"), ("Pool", "nosuchpool"));
        await tables.AddRouteAsync("bad-number", ("Path", "/bad-number"), ("Backend", backend.Url.ToString()), ("TimeoutSeconds", "soon"));
        await tables.AddRouteAsync("conflicting", ("Path", "/conflicting"), ("Backend", backend.Url.ToString()), ("Pool", "p"));
        await tables.AddBackendAsync("p", "bad-weight", ("Url", backend.Url.ToString()), ("Weight", -5));

        await using var gateway = await GatewayUnderTest.StartAsync(azurite.ConnectionString, tables);
        await gateway.WaitForRoutesAsync(1);

        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.GetAsync("/good")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await gateway.Client.GetAsync("/bad-url")).StatusCode);
        var problems = (await gateway.StatusAsync()).GetProperty("problems").EnumerateArray()
            .Where(p => p.GetProperty("severity").GetString() == "error")
            .ToDictionary(p => p.GetProperty("rowKey").GetString()!, p => (Column: p.GetProperty("column").GetString(), Message: p.GetProperty("message").GetString()!));
        Assert.Equal(["bad-number", "bad-template", "bad-url", "bad-weight", "conflicting", "unknown-pool"], problems.Keys.Order());
        Assert.Equal("Path", problems["bad-template"].Column);
        Assert.Equal("Backend", problems["bad-url"].Column);
        Assert.Contains("absolute http or https URL", problems["bad-url"].Message, StringComparison.Ordinal);
        Assert.Equal("Pool", problems["unknown-pool"].Column);
        Assert.Contains("'nosuchpool'", problems["unknown-pool"].Message, StringComparison.Ordinal);
        Assert.Equal("TimeoutSeconds", problems["bad-number"].Column);
        Assert.Contains("'soon' is not a whole number", problems["bad-number"].Message, StringComparison.Ordinal);
        Assert.Contains("exactly one of Backend, Pool", problems["conflicting"].Message, StringComparison.Ordinal);
        Assert.Equal("Weight", problems["bad-weight"].Column);
    }

    [Fact]
    public async Task RouteRow_EditedToInvalid_KeepsServingItsLastValidVersion()
    {
        await using var backend = await EchoBackend.StartAsync("stable", "http://127.0.0.1:0");
        var tables = await TestTables.CreateAsync(azurite.ConnectionString);
        await tables.AddRouteAsync("orders", ("Path", "/orders"), ("Backend", backend.Url.ToString()));
        await using var gateway = await GatewayUnderTest.StartAsync(azurite.ConnectionString, tables);
        await gateway.WaitForRoutesAsync(1);

        await tables.AddRouteAsync("orders", ("Path", "/orders"), ("Backend", backend.Url.ToString()), ("Order", "first"));
        var problem = await WaitForProblemAsync(gateway, "orders");

        Assert.True(problem.GetProperty("servingLastValidVersion").GetBoolean());
        Assert.Equal("Order", problem.GetProperty("column").GetString());
        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.GetAsync("/orders")).StatusCode);
    }

    [Fact]
    public async Task StorageStopped_LastSnapshotKeepsServing_AndStatusSaysWhy()
    {
        await using var backend = await EchoBackend.StartAsync("b", "http://127.0.0.1:0");
        var ownAzurite = await FunctionsGateway.DevHost.Local.AzuriteProcess.StartAsync();
        var tables = await TestTables.CreateAsync(ownAzurite.ConnectionString);
        await tables.AddRouteAsync("orders", ("Path", "/orders"), ("Backend", backend.Url.ToString()));
        await using var gateway = await GatewayUnderTest.StartAsync(ownAzurite.ConnectionString, tables);
        await gateway.WaitForRoutesAsync(1);

        await ownAzurite.DisposeAsync();
        var status = await WaitForStatusAsync(gateway, "storage_unreachable");

        Assert.Contains("storage", status.GetProperty("storageError").GetString(), StringComparison.OrdinalIgnoreCase);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await gateway.Client.GetAsync("/orders")).StatusCode);
        }
    }

    [Fact]
    public async Task ColdStart_StorageUnreachable_AnswersServiceUnavailable()
    {
        var tables = await TestTables.CreateAsync(azurite.ConnectionString);
        await using var gateway = await GatewayUnderTest.StartAsync(
            FunctionsGateway.DevHost.Local.AzuriteProcess.ConnectionStringFor(port: 9), tables,
            new Dictionary<string, string?> { ["Gateway:Configuration:InitialLoadWaitSeconds"] = "0", ["Gateway:Storage:TimeoutSeconds"] = "1" });

        var response = await gateway.Client.GetAsync("/anything");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("\"code\":\"configuration_not_loaded\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static async Task<System.Text.Json.JsonElement> WaitForProblemAsync(GatewayUnderTest gateway, string rowKey)
    {
        for (var attempt = 0; attempt < 150; attempt++)
        {
            var problem = (await gateway.StatusAsync()).GetProperty("problems").EnumerateArray()
                .FirstOrDefault(p => p.GetProperty("rowKey").GetString() == rowKey);
            if (problem.ValueKind != System.Text.Json.JsonValueKind.Undefined)
            {
                return problem;
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException($"No problem was reported for row '{rowKey}' within 15 s.");
    }

    private static async Task<System.Text.Json.JsonElement> WaitForStatusAsync(GatewayUnderTest gateway, string expected)
    {
        for (var attempt = 0; attempt < 300; attempt++)
        {
            var status = await gateway.StatusAsync();
            if (status.GetProperty("status").GetString() == expected)
            {
                return status;
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException($"The status did not become '{expected}' within 30 s.");
    }
}
