using System.Diagnostics;
using System.Net;
using FunctionsGateway.IntegrationTests.Infrastructure;

namespace FunctionsGateway.IntegrationTests.Telemetry;

/// <summary>
/// Over HTTP through the DevHost's gateway: sampled successes leave the access log while every error stays in it, and
/// each request is measured in the seconds histogram with its route template, status and outcome.
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
