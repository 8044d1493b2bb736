using System.Net;
using Azure.Data.Tables;
using FunctionsGateway.DevHost.Samples;
using FunctionsGateway.IntegrationTests.Infrastructure;

namespace FunctionsGateway.IntegrationTests.RateLimiting;

/// <summary>
/// Limits by client address through the running gateway: a client cannot get a fresh bucket by writing its own
/// <c>X-Forwarded-For</c>, <c>X-Real-IP</c> or <c>Forwarded</c> header, on a route limited by <c>ip</c> or on an
/// anonymous route limited by consumer (which counts by address).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RateLimitClientAddressTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private EchoBackend _backend = null!;
    private GatewayUnderTest _gateway = null!;

    public async Task InitializeAsync()
    {
        _backend = await EchoBackend.StartAsync("orders", "http://127.0.0.1:0");
        var limits = new TableServiceClient(azurite.ConnectionString).GetTableClient("RateLimits" + Guid.NewGuid().ToString("N")[..12]);
        await limits.CreateIfNotExistsAsync();
        var backend = _backend.Url.ToString();
        _gateway = await GatewayUnderTest.StartWithRowsAsync(
            azurite.ConnectionString,
            tables => Task.WhenAll(
                tables.AddRouteAsync("by-ip", ("Path", "/by-ip/{id}"), ("Backend", backend), ("RateLimit", "2/1m"), ("RateLimitBy", "ip"), ("RateLimitMode", "exact")),
                tables.AddRouteAsync("anonymous", ("Path", "/anonymous/{id}"), ("Backend", backend), ("RateLimit", "2/1m"), ("RateLimitMode", "exact"))),
            new Dictionary<string, string?> { ["Gateway:Tables:RateLimits"] = limits.Name });
        await _gateway.WaitForRoutesAsync(2);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _backend.DisposeAsync();
    }

    [Theory]
    [InlineData("/by-ip/1", "X-Forwarded-For")]
    [InlineData("/by-ip/1", "X-Real-IP")]
    [InlineData("/anonymous/1", "X-Forwarded-For")]
    public async Task ClientRotatingASpoofedAddressHeader_SharesOneBucket(string path, string header)
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 1; i <= 3; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.TryAddWithoutValidation(header, $"203.0.113.{i}");
            request.Headers.TryAddWithoutValidation("Forwarded", $"for=198.51.100.{i}");
            using var response = await _gateway.Client.SendAsync(request);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
    }
}
