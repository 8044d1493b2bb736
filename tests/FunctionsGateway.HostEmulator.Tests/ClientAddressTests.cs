using System.Net;
using FunctionsGateway.HostEmulator.Tests.Infrastructure;
using FunctionsGateway.IntegrationTests.Infrastructure;

namespace FunctionsGateway.HostEmulator.Tests;

/// <summary>
/// The client address as the platform presents it: the worker's peer is always the host on loopback, and the host
/// says who the client is in <c>X-Forwarded-For</c>. Clients here connect from their own loopback addresses
/// (127.0.0.x), so the host's 127.0.0.1 and the client's address differ, as they do on Azure.
/// </summary>
[Collection(PublishedWorkerCollection.Name)]
public sealed class ClientAddressTests(PublishedWorkerFixture worker)
{
    [Fact]
    public async Task Backend_ReceivesTheRealClientInXForwardedFor_NotTheHostOrASpoofedValue()
    {
        using var client = worker.Host.CreateClient(IPAddress.Parse("127.0.0.77"));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/echo/who");
        request.Headers.Add("X-Forwarded-For", "203.0.113.9");

        using var response = await client.SendAsync(request);

        var reply = await EchoReply.ReadAsync(response);
        Assert.Equal("127.0.0.77", reply.Headers["X-Forwarded-For"]);
    }

    [Fact]
    public async Task AccessLog_TheHostReceives_NamesTheRealClient()
    {
        using var client = worker.Host.CreateClient(IPAddress.Parse("127.0.0.78"));

        using var response = await client.GetAsync("/echo/logged-request");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var entry = await Eventually.FindAsync(
            () => worker.Host.Logs.FirstOrDefault(l => l.Category == "FunctionsGateway.AccessLog" && l.Message.Contains("/echo/logged-request", StringComparison.Ordinal)),
            "the access log entry of GET /echo/logged-request among the worker's logs");
        Assert.Contains("from 127.0.0.78 ", entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RateLimitByIp_CountsEachClientOnItsOwn_WhateverAddressHeaderItWrites()
    {
        using var first = worker.Host.CreateClient(IPAddress.Parse("127.0.0.81"));
        using var second = worker.Host.CreateClient(IPAddress.Parse("127.0.0.82"));
        var firstStatuses = new List<HttpStatusCode>();

        for (var i = 1; i <= 3; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/by-ip/orders");
            request.Headers.Add("X-Forwarded-For", $"203.0.113.{i}");
            using var response = await first.SendAsync(request);
            firstStatuses.Add(response.StatusCode);
        }

        using var secondResponse = await second.GetAsync("/by-ip/orders");

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], firstStatuses);
        Assert.Equal(HttpStatusCode.OK, secondResponse.StatusCode);
    }
}
