using System.Net;
using System.Text.Json;
using FunctionsGateway.DevHost.Samples;
using FunctionsGateway.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace FunctionsGateway.IntegrationTests.Pipeline;

/// <summary>Every failure the gateway answers itself is RFC 9457 problem+json with a stable code and the trace id.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ErrorResponseTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task NoRoute_Is404RouteNotFound()
    {
        await using var gateway = await StartAsync(_ => Task.CompletedTask);

        using var response = await gateway.Client.GetAsync("/nowhere");

        await AssertProblemAsync(response, 404, "route_not_found");
    }

    [Fact]
    public async Task BackendRefusingConnections_Is502BackendUnreachable()
    {
        await using var gateway = await StartAsync(t => t.AddRouteAsync("dead", ("Path", "/dead"), ("Backend", "http://127.0.0.1:9")));

        using var response = await gateway.Client.GetAsync("/dead");

        await AssertProblemAsync(response, 502, "backend_unreachable");
    }

    [Fact]
    public async Task PoolWithoutEnabledBackend_Is503NoBackend()
    {
        await using var gateway = await StartAsync(async t =>
        {
            await t.AddBackendAsync("drained", "a", ("Url", "http://127.0.0.1:9"), ("Weight", 0));
            await t.AddBackendAsync("drained", "b", ("Url", "http://127.0.0.1:9"), ("Enabled", false));
            await t.AddRouteAsync("drained", ("Path", "/drained"), ("Pool", "drained"));
        });

        using var response = await gateway.Client.GetAsync("/drained");

        await AssertProblemAsync(response, 503, "no_backend");
    }

    [Fact]
    public async Task SlowBackend_Is504BackendTimeout_AfterTheRoutesTimeout()
    {
        await using var backend = await TestBackend.StartAsync(async context => await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted));
        await using var gateway = await StartAsync(t => t.AddRouteAsync("slow", ("Path", "/slow"), ("Backend", backend.Url.ToString()), ("TimeoutSeconds", 1)));

        using var response = await gateway.Client.GetAsync("/slow");

        await AssertProblemAsync(response, 504, "backend_timeout");
    }

    [Fact]
    public async Task DeclaredBodyOverTheLimit_Is413_WithoutContactingTheBackend()
    {
        var backendCalls = 0;
        await using var backend = await TestBackend.StartAsync(context =>
        {
            Interlocked.Increment(ref backendCalls);
            return Task.CompletedTask;
        });
        await using var gateway = await StartAsync(
            t => t.AddRouteAsync("upload", ("Path", "/upload"), ("Backend", backend.Url.ToString())),
            new Dictionary<string, string?> { ["Gateway:Forwarding:MaxRequestBodyBytes"] = "1000" });

        using var response = await gateway.Client.PostAsync("/upload", new ByteArrayContent(new byte[1001]));

        await AssertProblemAsync(response, 413, "request_too_large");
        Assert.Equal(0, backendCalls);
    }

    [Fact]
    public async Task ChunkedBodyGrowingOverTheLimit_Is413()
    {
        await using var backend = await TestBackend.StartAsync(async context =>
        {
            // Read everything before answering, as most APIs do.
            await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
            await context.Response.WriteAsync("stored");
        });
        await using var gateway = await StartAsync(
            t => t.AddRouteAsync("upload", ("Path", "/upload"), ("Backend", backend.Url.ToString())),
            new Dictionary<string, string?> { ["Gateway:Forwarding:MaxRequestBodyBytes"] = "1000" });

        var response = await RawHttp.SendAsync(gateway.BaseAddress,
            "POST /upload HTTP/1.1\nHost: gateway.test\nTransfer-Encoding: chunked\n\n7d0\n" + new string('a', 2000) + "\n0\n\n");

        Assert.StartsWith("HTTP/1.1 413", response, StringComparison.Ordinal);
        Assert.Contains("\"code\":\"request_too_large\"", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedChunkedBody_Is400BadRequest()
    {
        await using var backend = await TestBackend.StartAsync(async context =>
        {
            await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
            await context.Response.WriteAsync("stored");
        });
        await using var gateway = await StartAsync(t => t.AddRouteAsync("upload", ("Path", "/upload"), ("Backend", backend.Url.ToString())));

        var response = await RawHttp.SendAsync(gateway.BaseAddress,
            "POST /upload HTTP/1.1\nHost: gateway.test\nTransfer-Encoding: chunked\n\nZZ-not-a-size\nabc\n0\n\n");

        Assert.StartsWith("HTTP/1.1 400", response, StringComparison.Ordinal);
        Assert.Contains("\"code\":\"bad_request\"", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StaticResponseRoute_AnswersWithoutABackend()
    {
        await using var gateway = await StartAsync(t => t.AddRouteAsync("maintenance", ("Path", "/legacy/{**rest}"),
            ("ResponseStatus", 503), ("ResponseBody", "{\"message\":\"down for maintenance\"}"), ("ResponseContentType", "application/json")));

        using var get = await gateway.Client.GetAsync("/legacy/orders/1");
        using var head = await gateway.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/legacy/orders/1"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, get.StatusCode);
        Assert.Equal("application/json", get.Content.Headers.ContentType?.MediaType);
        Assert.Equal("{\"message\":\"down for maintenance\"}", await get.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, head.StatusCode);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task StatusListing_IsNotServedToTheGatewaysClientsAsARoute()
    {
        await using var gateway = await StartAsync(async t =>
            await t.AddRouteAsync("sneaky", ("Path", "/_gateway/{**rest}"), ("ResponseBody", "shadowed")));

        var problem = (await gateway.StatusAsync()).GetProperty("problems").EnumerateArray().Single();

        Assert.Equal("sneaky", problem.GetProperty("rowKey").GetString());
        Assert.Equal("Path", problem.GetProperty("column").GetString());
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, int status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"Expected {status} {code}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.Equal("urn:functionsgateway:problem:" + code, problem.GetProperty("type").GetString());
        Assert.Matches("^[0-9a-f]{32}$", problem.GetProperty("traceId").GetString());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
    }

    private Task<GatewayUnderTest> StartAsync(Func<TestTables, Task> seed, IDictionary<string, string?>? settings = null) =>
        GatewayUnderTest.StartWithRowsAsync(azurite.ConnectionString, seed, settings);
}
