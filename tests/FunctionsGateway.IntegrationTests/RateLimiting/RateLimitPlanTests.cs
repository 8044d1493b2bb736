using System.Net;
using Azure.Data.Tables;
using FunctionsGateway.Authentication;
using FunctionsGateway.DevHost.Samples;
using FunctionsGateway.IntegrationTests.Infrastructure;

namespace FunctionsGateway.IntegrationTests.RateLimiting;

/// <summary>
/// Per-plan limits through the running gateway: API keys whose rows name different plans get their plan's limits on
/// one route (<c>RateLimitPlans</c>), counted separately in a real <c>RateLimits</c> table on Azurite; a key whose plan
/// is not listed gets the route's <c>RateLimit</c>; a plan of <c>none</c> is not limited; a key row with a bad
/// <c>Plan</c> is refused and reported.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RateLimitPlanTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = TimeProvider.System.GetUtcNow();

    private readonly Dictionary<string, string> _keys = [];
    private EchoBackend _backend = null!;
    private GatewayUnderTest _gateway = null!;
    private TableClient _apiKeys = null!;

    public async Task InitializeAsync()
    {
        _backend = await EchoBackend.StartAsync("orders", "http://127.0.0.1:0");
        var service = new TableServiceClient(azurite.ConnectionString);
        _apiKeys = service.GetTableClient("ApiKeys" + Guid.NewGuid().ToString("N")[..12]);
        var limits = service.GetTableClient("RateLimits" + Guid.NewGuid().ToString("N")[..12]);
        await _apiKeys.CreateIfNotExistsAsync();
        await limits.CreateIfNotExistsAsync();
        foreach (var (consumer, plan) in new[] { ("gold-customer", "gold"), ("free-customer", "free"), ("ops", "internal"), ("no-plan", (string?)null) })
        {
            Assert.True(ApiKeyFactory.TryCreate(consumer, plan, null, null, null, Now, out var created, out var error), error);
            await _apiKeys.AddEntityAsync(created!.Entity);
            _keys[consumer] = created.Plaintext;
        }

        _gateway = await GatewayUnderTest.StartWithRowsAsync(
            azurite.ConnectionString,
            tables => tables.AddRouteAsync(
                "orders",
                ("Path", "/orders/{id}"),
                ("Backend", _backend.Url.ToString()),
                ("Auth", "apikey"),
                ("RateLimit", "2/1m"),
                ("RateLimitMode", "exact"),
                ("RateLimitPlans", "gold: 5/1m, 1000/1d; internal: none")),
            new Dictionary<string, string?> { ["Gateway:Tables:ApiKeys"] = _apiKeys.Name, ["Gateway:Tables:RateLimits"] = limits.Name });
        await _gateway.WaitForRoutesAsync(1);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _backend.DisposeAsync();
    }

    [Fact]
    public async Task TwoKeysOnDifferentPlans_EachGetsItsPlansLimitOnTheSameRoute()
    {
        var gold = await SendAsync("gold-customer", 6);
        var free = await SendAsync("free-customer", 3);

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.OK, 5), HttpStatusCode.TooManyRequests], gold.Select(r => r.Status));
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], free.Select(r => r.Status));
        Assert.Equal("\"5/1m\";q=5;w=60, \"1000/1d\";q=1000;w=86400", gold[0].Policy);
        Assert.Equal("\"2/1m\";q=2;w=60", free[0].Policy);
    }

    [Fact]
    public async Task KeyWithoutAPlan_GetsTheRouteLimit()
    {
        var replies = await SendAsync("no-plan", 3);

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], replies.Select(r => r.Status));
    }

    [Fact]
    public async Task PlanOfNone_IsNotLimitedAndGetsNoRateLimitHeaders()
    {
        var replies = await SendAsync("ops", 8);

        Assert.All(replies, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.All(replies, r => Assert.Null(r.Policy));
    }

    [Fact]
    public async Task KeyRowWithABadPlan_IsRefusedAndTheRowsProblemLogged()
    {
        Assert.True(ApiKeyFactory.TryCreate("typo", null, null, null, null, Now, out var created, out var error), error);
        created!.Entity[ApiKeyColumns.Plan] = "gold plan";
        await _apiKeys.AddEntityAsync(created.Entity);

        var reply = await SendOnceAsync(created.Plaintext);

        Assert.Equal(HttpStatusCode.Unauthorized, reply.Status);
        Assert.Contains(_gateway.Logs.Entries, e => e.EventId.Id == 212 && e.Message.Contains("column 'Plan' 'gold plan' is not a plan name", StringComparison.Ordinal));
    }

    private async Task<List<(HttpStatusCode Status, string? Policy)>> SendAsync(string consumer, int count)
    {
        var replies = new List<(HttpStatusCode, string?)>();
        for (var i = 0; i < count; i++)
        {
            replies.Add(await SendOnceAsync(_keys[consumer]));
        }

        return replies;
    }

    private async Task<(HttpStatusCode Status, string? Policy)> SendOnceAsync(string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/orders/1");
        request.Headers.Add("X-Api-Key", key);
        using var response = await _gateway.Client.SendAsync(request);
        return (response.StatusCode, response.Headers.TryGetValues("RateLimit-Policy", out var values) ? string.Join(", ", values) : null);
    }
}
