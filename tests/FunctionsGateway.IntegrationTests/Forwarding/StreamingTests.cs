using System.Net;
using FunctionsGateway.DevHost.Samples;
using FunctionsGateway.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace FunctionsGateway.IntegrationTests.Forwarding;

/// <summary>
/// Bodies stream through the gateway, never buffered whole. Client, gateway and backend share this process,
/// so a whole-body buffer anywhere would show up as at least the body's size in allocated bytes.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class StreamingTests(AzuriteFixture azurite)
{
    private const long HundredMegabytes = 100_000_000;

    [Fact]
    public async Task Upload_100MB_StreamsThroughWithoutBuffering()
    {
        await using var backend = await EchoBackend.StartAsync("sink", "http://127.0.0.1:0");
        await using var gateway = await StartAsync(backend.Url);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);

        using var content = new StreamContent(new PatternStream(HundredMegabytes), 64 * 1024);
        var reply = await EchoReply.ReadAsync(await gateway.Client.PostAsync("/files/upload", content));

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        Assert.Equal(HundredMegabytes, reply.BodyBytes);
        Assert.True(allocated < HundredMegabytes / 4, $"Uploading 100 MB allocated {allocated / 1_000_000} MB in total: something buffers the body.");
    }

    [Fact]
    public async Task Download_100MB_StreamsThroughWithoutBuffering()
    {
        await using var backend = await TestBackend.StartAsync(async context =>
        {
            context.Response.ContentLength = HundredMegabytes;
            await new PatternStream(HundredMegabytes).CopyToAsync(context.Response.Body, 64 * 1024, context.RequestAborted);
        });
        await using var gateway = await StartAsync(backend.Url);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);

        using var response = await gateway.Client.GetAsync("/files/download", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var (received, intact) = await DrainAndCheckAsync(body);

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HundredMegabytes, received);
        Assert.True(intact, "The downloaded bytes differ from what the backend sent.");
        Assert.True(allocated < HundredMegabytes / 4, $"Downloading 100 MB allocated {allocated / 1_000_000} MB in total: something buffers the body.");
    }

    private async Task<GatewayUnderTest> StartAsync(Uri backend)
    {
        var tables = await TestTables.CreateAsync(azurite.ConnectionString);
        await tables.AddRouteAsync("files", ("Path", "/files/{**rest}"), ("Backend", backend.ToString()));
        var gateway = await GatewayUnderTest.StartAsync(azurite.ConnectionString, tables);
        await gateway.WaitForRoutesAsync(1);

        // One small request first, so connection set-up and JIT are not counted against the body.
        await gateway.Client.PostAsync("/files/warm-up", new StringContent("x"));
        return gateway;
    }

    private static async Task<(long Received, bool Intact)> DrainAndCheckAsync(Stream body)
    {
        var buffer = new byte[64 * 1024];
        long received = 0;
        var intact = true;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            for (var i = 0; i < read; i++)
            {
                intact &= buffer[i] == (byte)((received + i) % 251);
            }

            received += read;
        }

        return (received, intact);
    }
}
