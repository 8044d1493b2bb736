using System.Net;
using System.Text.Json;
using FunctionsGateway.DevHost.Samples;
using FunctionsGateway.IntegrationTests.Infrastructure;

namespace FunctionsGateway.IntegrationTests.OperatorConsole;

/// <summary>
/// The operator console's page and data through the running DevHost: what traffic shows up where, and that only a
/// caller on the gateway's own machine (loopback) gets them; anyone else gets the gateway's ordinary 404.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ConsoleEndpointTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Data_AfterTraffic_ListsTheRouteWithItsRequestsCallerAndTheFailureWithItsTraceId()
    {
        await using var backend = await EchoBackend.StartAsync("orders", "http://127.0.0.1:0");
        await using var gateway = await StartAsync(backend);
        (await gateway.Client.GetAsync("/orders/1")).Dispose();
        (await gateway.Client.GetAsync("/orders/2")).Dispose();
        using var missing = await gateway.Client.GetAsync("/nowhere/at/all");
        var traceId = JsonDocument.Parse(await missing.Content.ReadAsStringAsync()).RootElement.GetProperty("traceId").GetString();

        var data = await DataAsync(gateway);

        var route = data.GetProperty("routes").EnumerateArray().Single(r => r.GetProperty("route").GetString() == "public/orders");
        var traffic = route.GetProperty("traffic");
        Assert.Equal(2, traffic.GetProperty("requests").GetInt32());
        Assert.Equal(2, traffic.GetProperty("perSecond").EnumerateArray().Sum(s => s.GetInt32()));
        Assert.True(traffic.GetProperty("p50Ms").GetDouble() > 0);
        var caller = traffic.GetProperty("topConsumers")[0];
        Assert.Equal(("127.0.0.1", true, 2), (caller.GetProperty("name").GetString(), caller.GetProperty("isAddress").GetBoolean(), caller.GetProperty("requests").GetInt32()));
        Assert.Equal(1, data.GetProperty("unmatched").GetProperty("requests").GetInt32());
        var failure = data.GetProperty("recentFailures")[0];
        Assert.Equal(("/nowhere/at/all", 404, "route_not_found", traceId),
            (failure.GetProperty("path").GetString(), failure.GetProperty("status").GetInt32(), failure.GetProperty("outcome").GetString(), failure.GetProperty("traceId").GetString()));
    }

    [Fact]
    public async Task Data_RateLimitedRoute_ShowsItsLimitAndTheRefusalsOfItsCaller()
    {
        await using var backend = await EchoBackend.StartAsync("orders", "http://127.0.0.1:0");
        await using var gateway = await StartAsync(backend, ("RateLimit", "2/1m"), ("RateLimitBy", "ip"), ("RateLimitMode", "exact"));
        for (var i = 0; i < 5; i++)
        {
            (await gateway.Client.GetAsync("/orders/1")).Dispose();
        }

        var route = (await DataAsync(gateway)).GetProperty("routes").EnumerateArray().Single(r => r.GetProperty("route").GetString() == "public/orders");

        Assert.Equal(("2/1m", "ip", 2.0),
            (route.GetProperty("rateLimit").GetProperty("limits").GetString(), route.GetProperty("rateLimit").GetProperty("by").GetString(),
                route.GetProperty("rateLimit").GetProperty("perMinute").GetDouble()));
        Assert.Equal(3, route.GetProperty("traffic").GetProperty("limited").GetInt32());
        var caller = route.GetProperty("traffic").GetProperty("topConsumers")[0];
        Assert.Equal((5, 3), (caller.GetProperty("requests").GetInt32(), caller.GetProperty("limited").GetInt32()));
    }

    [Fact]
    public async Task Page_FromLoopback_IsTheSelfContainedPageWithAStrictContentSecurityPolicy()
    {
        await using var backend = await EchoBackend.StartAsync("orders", "http://127.0.0.1:0");
        await using var gateway = await StartAsync(backend);

        using var page = await gateway.Client.GetAsync("/_gateway/");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("/_gateway/console/data", html, StringComparison.Ordinal);
        Assert.DoesNotContain("src=\"http", html, StringComparison.Ordinal);
        var policy = string.Join(",", page.Headers.GetValues("Content-Security-Policy"));
        Assert.StartsWith("default-src 'none'; script-src 'sha256-", policy, StringComparison.Ordinal);
        Assert.Equal("no-store", page.Headers.CacheControl?.ToString());
    }

    [Theory]
    [InlineData("/_gateway/")]
    [InlineData("/_gateway")]
    [InlineData("/_gateway/console/data")]
    [InlineData("/_GATEWAY/CONSOLE/DATA")]
    public async Task Console_FromAnAddressThatIsNotLoopback_IsTheGateways404(string path)
    {
        await using var backend = await EchoBackend.StartAsync("orders", "http://127.0.0.1:0");
        await using var gateway = await StartAsync(backend);
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add(RemoteAddressOverride.Header, "203.0.113.7");

        using var response = await gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("route_not_found", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Data_PostedFromLoopback_IsNotTheConsole()
    {
        await using var backend = await EchoBackend.StartAsync("orders", "http://127.0.0.1:0");
        await using var gateway = await StartAsync(backend);

        using var response = await gateway.Client.PostAsync("/_gateway/console/data", new StringContent("{}"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private async Task<GatewayUnderTest> StartAsync(EchoBackend backend, params (string Column, object Value)[] columns)
    {
        var limits = new Azure.Data.Tables.TableServiceClient(azurite.ConnectionString).GetTableClient("RateLimits" + Guid.NewGuid().ToString("N")[..12]);
        await limits.CreateIfNotExistsAsync();
        return await GatewayUnderTest.StartWithRowsAsync(
            azurite.ConnectionString,
            tables => tables.AddRouteAsync("orders", [("Path", "/orders/{id}"), ("Backend", backend.Url.ToString()), .. columns]),
            new Dictionary<string, string?> { ["Gateway:Tables:RateLimits"] = limits.Name },
            RemoteAddressOverride.Install);
    }

    private static async Task<JsonElement> DataAsync(GatewayUnderTest gateway)
    {
        using var response = await gateway.Client.GetAsync("/_gateway/console/data");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }
}
