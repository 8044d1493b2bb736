using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using FunctionsGateway.Forwarding;
using FunctionsGateway.IntegrationTests.Infrastructure;
using FunctionsGateway.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FunctionsGateway.IntegrationTests.Telemetry;

/// <summary>
/// Over HTTP through the DevHost's gateway: sampled successes leave the access log while every error stays in it, and
/// each request is measured in the seconds histogram with its route template, status and outcome; a log sink that stops
/// never holds a request: the overflow is dropped and counted.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class AccessLogAndMetricsTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Get_SuccessSampleRateZero_OnlyTheErrorIsLogged()
    {
        await using var backend = await TestBackend.StartAsync(_ => Task.CompletedTask);
        await using var gateway = await GatewayUnderTest.StartWithRowsAsync(
            azurite.ConnectionString,
            async t => await t.AddRouteAsync("sampled", ("Path", "/sampled"), ("Backend", backend.Url.ToString())),
            new Dictionary<string, string?> { ["Gateway:AccessLog:SuccessSampleRate"] = "0" });

        for (var i = 0; i < 5; i++)
        {
            using var ok = await gateway.Client.GetAsync("/sampled");
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using var missing = await gateway.Client.GetAsync("/nowhere");

        // One writer reads the queue in order: once the last request's line is there, the earlier ones would be too.
        await gateway.Logs.WaitForAccessLogAsync("GET /nowhere");
        Assert.Single(gateway.Logs.AccessLog);
    }

    [Fact]
    public async Task Flood_LoggerStalls_EveryRequestIsAnsweredAndTheOverflowIsDroppedAndCounted()
    {
        using var dropped = new MetricRecorder("gateway.access_log.dropped");
        using var stalled = new StallingLoggerFactory();
        await using var backend = await TestBackend.StartAsync(_ => Task.CompletedTask);
        await using var gateway = await GatewayUnderTest.StartWithRowsAsync(
            azurite.ConnectionString,
            async t => await t.AddRouteAsync("flooded", ("Path", "/flooded"), ("Backend", backend.Url.ToString())),
            services: services => services.Replace(ServiceDescriptor.Singleton(
                new AccessLog(Options.Create(new AccessLogOptions { QueueCapacity = 100 }), stalled, new SharedRandomSource()))));
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var statuses = new ConcurrentBag<HttpStatusCode>();
        await Parallel.ForAsync(0, 250, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = bound.Token }, async (_, token) =>
        {
            using var response = await gateway.Client.GetAsync("/flooded", token);
            statuses.Add(response.StatusCode);
        });
        stalled.Release();

        Assert.Equal(250, statuses.Count(s => s == HttpStatusCode.OK));

        // The writer holds the first record in the stalled logger and 100 wait in the queue; the rest were dropped (one
        // more may have found room if the writer took its first record only once the queue was full).
        Assert.InRange(dropped.Sum(), 148, 149);
    }

    [Fact]
    public async Task Start_SampleRateAboveOne_TheGatewayDoesNotStartAndSaysWhatToWrite()
    {
        var tables = await TestTables.CreateAsync(azurite.ConnectionString);

        var thrown = await Assert.ThrowsAnyAsync<Exception>(() => GatewayUnderTest.StartAsync(azurite.ConnectionString, tables,
            new Dictionary<string, string?> { ["Gateway:AccessLog:SuccessSampleRate"] = "1.5" }));

        Assert.Contains("Gateway__AccessLog__SuccessSampleRate is 1.5; use a share from 0 to 1", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_Forwarded_IsMeasuredInSecondsByRouteTemplateStatusAndOutcome()
    {
        using var durations = new MetricRecorder("gateway.server.request.duration");
        await using var backend = await TestBackend.StartAsync(_ => Task.CompletedTask);
        await using var gateway = await GatewayUnderTest.StartWithRowsAsync(
            azurite.ConnectionString,
            async t => await t.AddRouteAsync("measured", ("Path", "/measured/{id}"), ("Backend", backend.Url.ToString())));
        var elapsed = Stopwatch.StartNew();

        using var response = await gateway.Client.GetAsync("/measured/7");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (seconds, tags) = await WaitForMeasurementAsync(durations, "public/measured");
        Assert.InRange(seconds, 0, elapsed.Elapsed.TotalSeconds);
        Assert.Equal("/measured/{id}", tags["http.route"]);
        Assert.Equal("GET", tags["http.request.method"]);
        Assert.Equal("200", tags["http.response.status_code"]);
        Assert.Equal("public/measured", tags["gateway.route"]);
        Assert.Equal("ok", tags["gateway.outcome"]);
        Assert.False(tags.ContainsKey("error.type"));
    }

    /// <summary>A logger whose every write waits until released (at most 60 s): an access log sink that has stopped.</summary>
    private sealed class StallingLoggerFactory : ILoggerFactory, ILogger
    {
        private readonly ManualResetEventSlim _released = new();

        public void Release() => _released.Set();

        public ILogger CreateLogger(string categoryName) => this;

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _released.Wait(TimeSpan.FromSeconds(60));

        public void Dispose()
        {
            _released.Set();
            _released.Dispose();
        }
    }

    private static async Task<(double Value, Dictionary<string, string?> Tags)> WaitForMeasurementAsync(MetricRecorder recorder, string route)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var found = recorder.Values.FirstOrDefault(m => m.Tags.GetValueOrDefault("gateway.route") == route);
            if (found.Tags is not null)
            {
                return found;
            }

            if (waited.Elapsed > TimeSpan.FromSeconds(15))
            {
                throw new Xunit.Sdk.XunitException($"No gateway.server.request.duration measurement of route {route} within 15 s.");
            }

            await Task.Delay(20);
        }
    }
}
