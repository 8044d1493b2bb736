using System.Net;
using System.Text.Json;
using Azure.Data.Tables;
using FunctionsGateway.DevHost.Samples;
using FunctionsGateway.IntegrationTests.Infrastructure;

namespace FunctionsGateway.IntegrationTests.RateLimiting;

/// <summary>
/// A route's <c>RateLimit</c> through the running gateway, counters in a real <c>RateLimits</c> table on Azurite: the
/// limit's requests are forwarded with the draft <c>RateLimit-Policy</c> and <c>RateLimit</c> headers, the next one
/// is answered 429 problem+json with <c>Retry-After</c> by the gateway itself.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RateLimitedRouteTests(AzuriteFixture azurite)
{
    [Theory]
    [InlineData("exact")]
    [InlineData("leased")]
    public async Task LimitUsedUp_NextRequestIs429ProblemWithRetryAfterAndHeaders(string mode)
    {
        await using var backend = await EchoBackend.StartAsync("orders", "http://127.0.0.1:0");
        await using var gateway = await StartAsync(backend, ("RateLimit", "3/1m"), ("RateLimitBy", "ip"), ("RateLimitMode", mode));

        var admitted = new List<HttpResponseMessage>();
        for (var i = 0; i < 3; i++)
        {
            admitted.Add(await gateway.Client.GetAsync("/orders/1"));
        }

        using var refused = await gateway.Client.GetAsync("/orders/1");

        Assert.All(admitted, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal("\"3/1m\";q=3;w=60", string.Join(",", admitted[0].Headers.GetValues("RateLimit-Policy")));
        Assert.StartsWith("\"3/1m\";r=2;t=", string.Join(",", admitted[0].Headers.GetValues("RateLimit")), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("rate_limited", problem.GetProperty("code").GetString());
        Assert.InRange(refused.Headers.RetryAfter?.Delta?.TotalSeconds ?? 0, 1, 60);
        Assert.StartsWith("\"3/1m\";r=0;t=", string.Join(",", refused.Headers.GetValues("RateLimit")), StringComparison.Ordinal);
        foreach (var response in admitted)
        {
            response.Dispose();
        }
    }

    [Theory]
    [InlineData("exact")]
    [InlineData("leased")]
    public async Task FloodAfterTheLimit_RejectedWithoutStorage_AndTheListingCountsTheOperations(string mode)
    {
        await using var backend = await EchoBackend.StartAsync("orders", "http://127.0.0.1:0");
        await using var gateway = await StartAsync(backend, ("RateLimit", "3/1h"), ("RateLimitBy", "route"), ("RateLimitMode", mode));
        for (var i = 0; i < 4; i++)
        {
            (await gateway.Client.GetAsync("/orders/1")).Dispose();
        }

        var before = StoreOperations(await gateway.StatusAsync());

        var flood = await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ =>
        {
            using var response = await gateway.Client.GetAsync("/orders/1");
            return response.StatusCode;
        }));

        Assert.All(flood, status => Assert.Equal(HttpStatusCode.TooManyRequests, status));
        Assert.Equal(before, StoreOperations(await gateway.StatusAsync()));
        Assert.InRange(before.Read + before.Write + before.Conflict + before.Delete, 3, 10);
    }

    [Fact]
    public async Task CountersGoneMidRun_FailClosedRouteAnswers503_FailOpenRouteKeepsServingUnderItsLocalLimit()
    {
        await using var backend = await EchoBackend.StartAsync("orders", "http://127.0.0.1:0");
        var (gateway, limitsTable) = await StartWithTableAsync(backend, tables => Task.WhenAll(
            tables.AddRouteAsync("closed", ("Path", "/closed/{id}"), ("Backend", backend.Url.ToString()), ("RateLimit", "100/1m"), ("RateLimitMode", "exact"), ("RateLimitFailure", "closed")),
            tables.AddRouteAsync("open", ("Path", "/open/{id}"), ("Backend", backend.Url.ToString()), ("RateLimit", "3/1m"), ("RateLimitBy", "route"))));
        await using var _ = gateway;
        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.GetAsync("/closed/1")).StatusCode);

        // Storage fails under the gateway: the counters' table is gone (every call now answers TableNotFound).
        await limitsTable.DeleteAsync();
        using var closed = await gateway.Client.GetAsync("/closed/1");
        var open = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            open.Add((await gateway.Client.GetAsync("/open/1")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, closed.StatusCode);
        Assert.Equal("rate_limit_unavailable", JsonDocument.Parse(await closed.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
        Assert.NotNull(closed.Headers.RetryAfter);
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], open);
    }

    [Fact]
    public async Task RouteWithoutRateLimit_HasNoRateLimitHeaders()
    {
        await using var backend = await EchoBackend.StartAsync("orders", "http://127.0.0.1:0");
        await using var gateway = await StartAsync(backend);

        using var response = await gateway.Client.GetAsync("/orders/1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("RateLimit-Policy"));
    }

    [Fact]
    public async Task BadRateLimitValue_RouteIsNotServed_AndTheListingSaysWhatToWrite()
    {
        await using var backend = await EchoBackend.StartAsync("orders", "http://127.0.0.1:0");
        await using var gateway = await StartAsync(backend, ("RateLimit", "100/1x"));

        var problems = (await gateway.StatusAsync()).GetProperty("problems").EnumerateArray().ToList();

        Assert.Equal(HttpStatusCode.NotFound, (await gateway.Client.GetAsync("/orders/1")).StatusCode);
        var problem = Assert.Single(problems, p => p.GetProperty("rowKey").GetString() == "orders");
        Assert.Equal("RateLimit", problem.GetProperty("column").GetString());
        Assert.Equal("error", problem.GetProperty("severity").GetString());
    }

    private static (long Read, long Write, long Conflict, long Delete) StoreOperations(JsonElement status)
    {
        var operations = status.GetProperty("rateLimitStoreOperations");
        return (operations.GetProperty("read").GetInt64(), operations.GetProperty("write").GetInt64(),
            operations.GetProperty("conflict").GetInt64(), operations.GetProperty("delete").GetInt64());
    }

    private async Task<GatewayUnderTest> StartAsync(EchoBackend backend, params (string Column, object Value)[] limits) =>
        (await StartWithTableAsync(backend, tables => tables.AddRouteAsync("orders", [("Path", "/orders/{id}"), ("Backend", backend.Url.ToString()), .. limits]))).Gateway;

    private async Task<(GatewayUnderTest Gateway, TableClient LimitsTable)> StartWithTableAsync(EchoBackend backend, Func<TestTables, Task> routes)
    {
        var limitsTable = new TableServiceClient(azurite.ConnectionString).GetTableClient("RateLimits" + Guid.NewGuid().ToString("N")[..12]);
        await limitsTable.CreateIfNotExistsAsync();
        var gateway = await GatewayUnderTest.StartWithRowsAsync(
            azurite.ConnectionString,
            async tables =>
            {
                await tables.AddRouteAsync("control", ("Path", "/control"), ("Backend", backend.Url.ToString()));
                await routes(tables);
            },
            new Dictionary<string, string?> { ["Gateway:Tables:RateLimits"] = limitsTable.Name });
        await gateway.WaitForRoutesAsync(1);
        return (gateway, limitsTable);
    }
}
