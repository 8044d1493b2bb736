using System.Net;
using System.Text.Json;
using FunctionsGateway.DevHost.Samples;
using FunctionsGateway.IntegrationTests.Infrastructure;

namespace FunctionsGateway.IntegrationTests.Configuration;

/// <summary>
/// Column names are case-sensitive, and a protection column spelt in another case must never leave a route
/// served without the protection: through the running gateway, over rows written in Azurite.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ColumnNameTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task LowercaseAuthColumn_RouteIsNotServed_AndTheListingSaysWhatToRename()
    {
        await using var backend = await EchoBackend.StartAsync("orders", "http://127.0.0.1:0");
        var tables = await TestTables.CreateAsync(azurite.ConnectionString);
        await tables.AddRouteAsync("control", ("Path", "/control"), ("Backend", backend.Url.ToString()));
        await tables.AddRouteAsync("orders", ("Path", "/orders"), ("Backend", backend.Url.ToString()), ("auth", "jwt"));
        await using var gateway = await GatewayUnderTest.StartAsync(azurite.ConnectionString, tables);
        await gateway.WaitForRoutesAsync(1);

        var problem = await WaitForProblemAsync(gateway, "orders");

        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.GetAsync("/control")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await gateway.Client.GetAsync("/orders")).StatusCode);
        Assert.Equal("error", problem.GetProperty("severity").GetString());
        Assert.Equal("auth", problem.GetProperty("column").GetString());
        Assert.Equal("column names are case-sensitive: rename 'auth' to 'Auth'", problem.GetProperty("message").GetString());
        Assert.False(problem.GetProperty("servingLastValidVersion").GetBoolean());
    }

    [Fact]
    public async Task LowercaseAuthAddedToAServingAnonymousRoute_StopsTheRoute()
    {
        await using var backend = await EchoBackend.StartAsync("orders", "http://127.0.0.1:0");
        var tables = await TestTables.CreateAsync(azurite.ConnectionString);
        await tables.AddRouteAsync("orders", ("Path", "/orders"), ("Backend", backend.Url.ToString()));
        await using var gateway = await GatewayUnderTest.StartAsync(azurite.ConnectionString, tables);
        await gateway.WaitForRoutesAsync(1);
        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.GetAsync("/orders")).StatusCode);

        // The operator means to protect the route; its anonymous last valid version must not keep serving.
        await tables.AddRouteAsync("orders", ("Path", "/orders"), ("Backend", backend.Url.ToString()), ("AUTH", "jwt"));

        using var stopped = await gateway.WaitForAsync(() => new HttpRequestMessage(HttpMethod.Get, "/orders"), r => r.StatusCode == HttpStatusCode.NotFound);
        var problem = await WaitForProblemAsync(gateway, "orders");
        Assert.Equal("AUTH", problem.GetProperty("column").GetString());
        Assert.False(problem.GetProperty("servingLastValidVersion").GetBoolean());
    }

    [Theory]
    [InlineData("canarypercent")]
    [InlineData("CANARYPERCENT")]
    public async Task NotYetSupportedColumnInAnyCase_RouteIsNotServed(string column)
    {
        await using var backend = await EchoBackend.StartAsync("orders", "http://127.0.0.1:0");
        var tables = await TestTables.CreateAsync(azurite.ConnectionString);
        await tables.AddRouteAsync("control", ("Path", "/control"), ("Backend", backend.Url.ToString()));
        await tables.AddRouteAsync("orders", ("Path", "/orders"), ("Backend", backend.Url.ToString()), (column, "3"));
        await using var gateway = await GatewayUnderTest.StartAsync(azurite.ConnectionString, tables);
        await gateway.WaitForRoutesAsync(1);

        var problem = await WaitForProblemAsync(gateway, "orders");

        Assert.Equal(HttpStatusCode.NotFound, (await gateway.Client.GetAsync("/orders")).StatusCode);
        Assert.Equal(column, problem.GetProperty("column").GetString());
        var messages = (await gateway.StatusAsync()).GetProperty("problems").EnumerateArray()
            .Where(p => p.GetProperty("rowKey").GetString() == "orders")
            .Select(p => p.GetProperty("message").GetString()!)
            .ToList();
        Assert.Contains(messages, m => m.StartsWith("is not supported by this version of the gateway yet", StringComparison.Ordinal));
    }

    private static async Task<JsonElement> WaitForProblemAsync(GatewayUnderTest gateway, string rowKey)
    {
        for (var attempt = 0; attempt < 150; attempt++)
        {
            var problem = (await gateway.StatusAsync()).GetProperty("problems").EnumerateArray()
                .FirstOrDefault(p => p.GetProperty("rowKey").GetString() == rowKey);
            if (problem.ValueKind != JsonValueKind.Undefined)
            {
                return problem;
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException($"No problem was reported for row '{rowKey}' within 15 s.");
    }
}
