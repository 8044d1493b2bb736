using System.Net;
using FunctionsGateway.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace FunctionsGateway.IntegrationTests.Pipeline;

/// <summary>
/// A route's <c>RequestTimeoutSeconds</c> bounds the time from the request's arrival until the response starts,
/// whatever keeps the idle timeout (<c>TimeoutSeconds</c>) from firing: a client trickling its body, a backend
/// reading it slowly. Past it the client gets 504 <c>request_deadline_exceeded</c> and the backend call is
/// cancelled; a response that has started streaming is never cut by it.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RequestDeadlineTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task SlowLorisUpload_IsCutAtTheDeadline_With504_AndTheBackendCallIsCancelled()
    {
        var backendAborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = await TestBackend.StartAsync(async context =>
        {
            context.RequestAborted.Register(() => backendAborted.TrySetResult());
            await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
            await context.Response.WriteAsync("stored");
        });
        await using var gateway = await StartAsync(backend.Url, timeoutSeconds: 1, requestTimeoutSeconds: 2);

        // One byte every 200 ms: never idle for a second, far from done after 2 s (1000 bytes would take 200 s).
        var response = await SlowClient.SendAsync(gateway.BaseAddress,
            "POST /upload HTTP/1.1\nHost: gateway.test\nContent-Length: 1000\n\n", pieceBytes: 1, pieces: 100, TimeSpan.FromMilliseconds(200));

        Assert.StartsWith("HTTP/1.1 504", response, StringComparison.Ordinal);
        Assert.Contains("application/problem+json", response, StringComparison.Ordinal);
        Assert.Contains("\"code\":\"request_deadline_exceeded\"", response, StringComparison.Ordinal);
        await backendAborted.Task.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Contains(gateway.Logs.Entries, e => e.EventId.Id == 420);
    }

    [Fact]
    public async Task BackendReadingTheBodySlowly_IsCutAtTheDeadline_With504()
    {
        var backendAborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = await TestBackend.StartAsync(async context =>
        {
            context.RequestAborted.Register(() => backendAborted.TrySetResult());
            var buffer = new byte[16 * 1024];
            while (await context.Request.Body.ReadAsync(buffer, context.RequestAborted) > 0)
            {
                await Task.Delay(10, context.RequestAborted);
            }

            await context.Response.WriteAsync("stored");
        });

        // The idle timeout equals the deadline but restarts at every write the backend takes in, so only the deadline can fire.
        await using var gateway = await StartAsync(backend.Url, timeoutSeconds: 3, requestTimeoutSeconds: 3);

        // 64 MiB at about 1.6 MB/s would take 40 s.
        var response = await SlowClient.SendAsync(gateway.BaseAddress,
            "POST /upload HTTP/1.1\nHost: gateway.test\nContent-Length: 67108864\n\n", pieceBytes: 64 * 1024, pieces: 1024, TimeSpan.Zero);

        Assert.StartsWith("HTTP/1.1 504", response, StringComparison.Ordinal);
        Assert.Contains("\"code\":\"request_deadline_exceeded\"", response, StringComparison.Ordinal);
        await backendAborted.Task.WaitAsync(TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task StreamingDownloadLongerThanTheDeadline_IsNotCut()
    {
        const int Chunks = 8;
        await using var backend = await TestBackend.StartAsync(async context =>
        {
            await context.Response.StartAsync(context.RequestAborted);
            for (var i = 0; i < Chunks; i++)
            {
                await context.Response.WriteAsync($"chunk{i};", context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                await Task.Delay(300, context.RequestAborted);
            }
        });
        await using var gateway = await StartAsync(backend.Url, timeoutSeconds: 1, requestTimeoutSeconds: 1);

        // 8 chunks 300 ms apart: the response lasts about 2.4 s, more than twice the deadline.
        using var response = await gateway.Client.GetAsync("/download");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(string.Concat(Enumerable.Range(0, Chunks).Select(i => $"chunk{i};")), await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task QuickRequestsReusingPooledDeadlines_AreAnsweredNormally()
    {
        await using var backend = await TestBackend.StartAsync(context => context.Response.WriteAsync("ok"));
        await using var gateway = await StartAsync(backend.Url, timeoutSeconds: 1, requestTimeoutSeconds: 1);

        for (var i = 0; i < 20; i++)
        {
            using var response = await gateway.Client.GetAsync("/quick");

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    private Task<GatewayUnderTest> StartAsync(Uri backend, int timeoutSeconds, int requestTimeoutSeconds) =>
        GatewayUnderTest.StartWithRowsAsync(azurite.ConnectionString, t => t.AddRouteAsync("slow", ("Path", "/{**rest}"),
            ("Backend", backend.ToString()), ("TimeoutSeconds", timeoutSeconds), ("RequestTimeoutSeconds", requestTimeoutSeconds)));
}
