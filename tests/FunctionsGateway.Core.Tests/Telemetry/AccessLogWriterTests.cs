using System.Diagnostics;
using FunctionsGateway.Core.Tests.Authentication;
using FunctionsGateway.Core.Tests.Forwarding;
using FunctionsGateway.Telemetry;
using Microsoft.Extensions.Options;

namespace FunctionsGateway.Core.Tests.Telemetry;

/// <summary>The background writer turns queued entries into the one access log line, and writes what is left when stopping.</summary>
public sealed class AccessLogWriterTests
{
    [Fact]
    public async Task StopAsync_EntriesStillQueued_AreWrittenAsOneLineEach()
    {
        var logger = new CapturingLogger();
        var log = new AccessLog(Options.Create(new AccessLogOptions()), logger, new FixedRandomSource(0));
        log.Record(AccessLogTests.Entry("/orders/1"));
        log.Record(AccessLogTests.Entry("/nowhere", 404, "route_not_found") with { Route = string.Empty, Backend = string.Empty });
        var writer = new AccessLogWriter(log, TimeProvider.System);

        await writer.StopAsync(CancellationToken.None);

        Assert.Equal(
            [
                "GET /orders/1 → route orders backend primary: 200 ok in 1.23 ms from 10.0.0.7 trace request-1 consumer - subject - via -",
                "GET /nowhere → route - backend -: 404 route_not_found in 1.23 ms from 10.0.0.7 trace request-1 consumer - subject - via -",
            ],
            logger.Entries.Select(e => e.Message));
        Assert.All(logger.Entries, e => Assert.Equal("AccessLog", e.Id.Name));
    }

    [Fact]
    public async Task ExecuteAsync_Running_WritesEntriesAsTheyAreQueued()
    {
        var logger = new CapturingLogger();
        var log = new AccessLog(Options.Create(new AccessLogOptions()), logger, new FixedRandomSource(0));
        var writer = new AccessLogWriter(log, TimeProvider.System);
        await writer.StartAsync(CancellationToken.None);

        log.Record(AccessLogTests.Entry("/orders/2"));
        var waited = Stopwatch.StartNew();
        while (logger.Entries.Count == 0 && waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(10);
        }

        Assert.Single(logger.Entries);
        await writer.StopAsync(CancellationToken.None);
    }
}
