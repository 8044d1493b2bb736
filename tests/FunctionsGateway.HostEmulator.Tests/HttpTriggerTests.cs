using System.Net;
using System.Text.Json;
using FunctionsGateway.HostEmulator.Tests.Infrastructure;
using FunctionsGateway.HostEmulator.Tests.Protocol;
using FunctionsGateway.IntegrationTests.Infrastructure;
using Yarp.ReverseProxy.Forwarder;

namespace FunctionsGateway.HostEmulator.Tests;

/// <summary>
/// The catch-all trigger as deployed: requests the host proxies to the worker's ASP.NET Core integration reach real
/// backends, stream both ways, and come back with the gateway's own answers (problem+json, authentication).
/// </summary>
[Collection(PublishedWorkerCollection.Name)]
public sealed class HttpTriggerTests(PublishedWorkerFixture worker)
{
    [Fact]
    public async Task Get_ThroughTheHost_ReachesTheBackend_AndTheInvocationSucceeds()
    {
        using var client = worker.Host.CreateClient();
        var invocationsBefore = worker.Host.HttpInvocations.Count;

        using var response = await client.GetAsync("/echo/orders/1?page=2");

        var reply = await EchoReply.ReadAsync(response);
        Assert.Equal("echo", reply.Service);
        Assert.Equal("GET", reply.Method);
        Assert.Equal("?page=2", reply.Query);
        var invocation = await Eventually.FindAsync(
            () => worker.Host.HttpInvocations.Skip(invocationsBefore).FirstOrDefault(), "the InvocationResponse of the request");
        Assert.Equal("Gateway", invocation.Function);
        Assert.Equal(ForwarderError.None, invocation.ProxyError);
        Assert.Equal(StatusResult.Types.Status.Success, invocation.Response?.Result.Status);
    }

    [Fact]
    public async Task Post_WithAOneMegabyteBody_ReachesTheBackendWhole()
    {
        using var client = worker.Host.CreateClient();
        using var content = new ByteArrayContent(new byte[1_000_000]);

        using var response = await client.PostAsync("/echo/upload", content);

        var reply = await EchoReply.ReadAsync(response);
        Assert.Equal(1_000_000, reply.BodyBytes);
    }

    [Fact]
    public async Task Download_TheFirstChunkArrivesWhileTheBackendIsStillWriting()
    {
        using var client = worker.Host.CreateClient();

        using var response = await client.GetAsync("/stream/file", HttpCompletionOption.ResponseHeadersRead);
        using var body = new StreamReader(await response.Content.ReadAsStreamAsync());
        var first = await body.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await worker.Held.WaitForArrivalAsync();
        worker.Held.Release();
        var rest = await body.ReadToEndAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("first", first);
        Assert.Equal("second\n", rest);
    }

    [Fact]
    public async Task UnknownPath_AnswersTheGatewaysProblemJson()
    {
        using var client = worker.Host.CreateClient();

        using var response = await client.GetAsync("/nowhere/at/all");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("route_not_found", problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Root_ReachesTheGateway_BecauseInfraDisablesTheHostsHomepage()
    {
        using var client = worker.Host.CreateClient();

        using var response = await client.GetAsync("/");

        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ApiKeyRoute_WithAWrongKey_Answers401ProblemJson()
    {
        using var client = worker.Host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/key/orders");
        request.Headers.Add("X-Api-Key", "not-a-key-anyone-was-given");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("invalid_key", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task ApiKeyRoute_WithAValidKey_ReachesTheBackendAsItsConsumer()
    {
        using var client = worker.Host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/key/orders");
        request.Headers.Add("X-Api-Key", worker.ApiKey);

        using var response = await client.SendAsync(request);

        var reply = await EchoReply.ReadAsync(response);
        Assert.False(reply.Headers.ContainsKey("X-Api-Key"), "The API key travelled on to the backend.");
    }
}
