using System.Diagnostics;
using System.Net;
using Azure.Data.Tables;
using FunctionsGateway.DevHost.Samples;
using FunctionsGateway.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace FunctionsGateway.IntegrationTests.Health;

/// <summary>
/// Active health end to end through the DevHost on Azurite with real Kestrel backends: the DevHost's timer probes every
/// second, the verdicts land in the BackendHealth table, and selection follows them — failover to the other backend,
/// re-admission, fallback pool, fallback response, panic — while a stale row is treated as unknown.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class HealthProbingTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan Verdict = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task BackendKilled_RowTurnsUnhealthyAndRequestsGoToTheOther_BackAgain_HealthyAndServed()
    {
        await using var stays = await EchoBackend.StartAsync("stays", "http://127.0.0.1:0");
        var killed = await EchoBackend.StartAsync("killed", "http://127.0.0.1:0");
        var killedUrl = killed.Url;
        TestTables tables = null!;
        await using var gateway = await StartAsync(async t =>
        {
            tables = t;
            await t.AddRouteAsync("svc", ("Path", "/svc/{**rest}"), ("Pool", "p"));
            await t.AddBackendAsync("p", "stays", ("Url", stays.Url.ToString()), ("HealthPath", "/health"));
            await t.AddBackendAsync("p", "killed", ("Url", killedUrl.ToString()), ("HealthPath", "/health"));
        });
        await WaitForRowAsync(tables, "p", "killed", row => row.GetString("Status") == "Healthy");

        await killed.DisposeAsync();
        var down = await WaitForRowAsync(tables, "p", "killed", row => row.GetString("Status") == "Unhealthy");
        var served = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            served.Add((await EchoReply.ReadAsync(await gateway.Client.GetAsync("/svc/x"))).Service);
        }

        Assert.Equal(2, down.GetInt32("ConsecutiveFailures"));
        Assert.False(string.IsNullOrEmpty(down.GetString("LastError")));
        Assert.All(served, service => Assert.Equal("stays", service));
        var listed = Listed(await gateway.StatusAsync(), "p/killed")!.Value;
        Assert.Equal("unhealthy", listed.GetProperty("health").GetString());
        Assert.False(listed.GetProperty("circuitOpen").GetBoolean());

        await using var back = await EchoBackend.StartAsync("killed", killedUrl.ToString());
        var up = await WaitForRowAsync(tables, "p", "killed", row => row.GetString("Status") == "Healthy");
        using var readmitted = await gateway.WaitForAsync(
            () => new HttpRequestMessage(HttpMethod.Get, "/svc/x"),
            response => response.IsSuccessStatusCode && response.Content.ReadAsStringAsync().Result.Contains("\"killed\"", StringComparison.Ordinal));

        Assert.Equal(2, up.GetInt32("ConsecutiveSuccesses"));
        Assert.Equal(string.Empty, up.GetString("LastError"));
    }

    [Fact]
    public async Task BackendThatNeverAnswers_TheOthersRowIsWrittenFirst_ItsOwnAfterTheProbeTimeout()
    {
        await using var answering = await EchoBackend.StartAsync("answering", "http://127.0.0.1:0");
        await using var silent = await TestBackend.StartAsync(context => Task.Delay(Timeout.Infinite, context.RequestAborted));
        TestTables tables = null!;
        await using var gateway = await StartAsync(
            async t =>
            {
                tables = t;
                await t.AddBackendAsync("p", "answering", ("Url", answering.Url.ToString()), ("HealthPath", "/health"));
                await t.AddBackendAsync("p", "silent", ("Url", silent.Url.ToString()), ("HealthPath", "/health"));
                await t.AddRouteAsync("svc", ("Path", "/svc"), ("Pool", "p"));
            },
            settings: new Dictionary<string, string?> { ["Gateway:Health:ProbeTimeoutSeconds"] = "5" });

        await WaitForRowAsync(tables, "p", "answering", _ => true);
        var silentRowMeanwhile = await tables.BackendHealth.GetEntityIfExistsAsync<TableEntity>("p", "silent");
        var silentRow = await WaitForRowAsync(tables, "p", "silent", _ => true);

        Assert.False(silentRowMeanwhile.HasValue);
        Assert.Equal("no answer to GET /health within 5 s", silentRow.GetString("LastError"));
    }

    [Fact]
    public async Task PoolAllUnhealthy_FallbackPoolServes_ThenItsDownToo_TheStaticResponse()
    {
        var mainHealthy = new HealthFlag(false);
        var drHealthy = new HealthFlag(true);
        await using var main = await SwitchableAsync("main", mainHealthy);
        await using var dr = await SwitchableAsync("dr", drHealthy);
        TestTables tables = null!;
        await using var gateway = await StartAsync(async t =>
        {
            tables = t;
            await t.AddRouteAsync("chain", ("Path", "/chain"), ("Pool", "main"), ("FallbackPool", "dr"),
                ("ResponseStatus", 503), ("ResponseBody", "{\"maintenance\":true}"), ("ResponseContentType", "application/json"));
            await t.AddBackendAsync("main", "m", ("Url", main.Url.ToString()), ("HealthPath", "/health"));
            await t.AddBackendAsync("dr", "d", ("Url", dr.Url.ToString()), ("HealthPath", "/health"));
        });
        await WaitForRowAsync(tables, "main", "m", row => row.GetString("Status") == "Unhealthy");
        await WaitForRowAsync(tables, "dr", "d", row => row.GetString("Status") == "Healthy");

        using var fromFallbackPool = await gateway.Client.GetAsync("/chain");
        drHealthy.Value = false;
        await WaitForRowAsync(tables, "dr", "d", row => row.GetString("Status") == "Unhealthy");
        using var staticAnswer = await gateway.Client.GetAsync("/chain");

        Assert.Equal("dr", await fromFallbackPool.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, staticAnswer.StatusCode);
        Assert.Equal("application/json", staticAnswer.Content.Headers.ContentType?.ToString());
        Assert.Equal("{\"maintenance\":true}", await staticAnswer.Content.ReadAsStringAsync());
        Assert.Equal(0, main.Calls);
    }

    [Fact]
    public async Task EveryBackendUnhealthyAndNoFallback_PanicSendsToThemAnywayAndSaysSo()
    {
        await using var main = await SwitchableAsync("main", new HealthFlag(false));
        TestTables tables = null!;
        await using var gateway = await StartAsync(async t =>
        {
            tables = t;
            await t.AddRouteAsync("panic", ("Path", "/panic"), ("Pool", "main"));
            await t.AddBackendAsync("main", "m", ("Url", main.Url.ToString()), ("HealthPath", "/health"));
        });
        await WaitForRowAsync(tables, "main", "m", row => row.GetString("Status") == "Unhealthy");

        using var response = await gateway.Client.GetAsync("/panic");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("main", await response.Content.ReadAsStringAsync());
        Assert.Contains(gateway.Logs.Entries, e => e.EventId.Id == 430 && e.Message.Contains("panic", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UnhealthyRowOlderThanTheStalenessLimit_CountsAsUnknown_AFreshOneTakesTheBackendOut()
    {
        // No prober runs here: the rows stand for what another instance's prober wrote.
        await using var primary = await EchoBackend.StartAsync("primary", "http://127.0.0.1:0");
        await using var backup = await EchoBackend.StartAsync("backup", "http://127.0.0.1:0");
        TestTables tables = null!;
        await using var gateway = await StartAsync(
            async t =>
            {
                tables = t;
                await t.AddRouteAsync("svc", ("Path", "/svc"), ("Pool", "p"));
                await t.AddBackendAsync("p", "primary", ("Url", primary.Url.ToString()));
                await t.AddBackendAsync("p", "backup", ("Url", backup.Url.ToString()), ("Priority", 1));
                await t.BackendHealth.UpsertEntityAsync(UnhealthyRow("p", "primary", TimeProvider.System.GetUtcNow().AddSeconds(-60)));
            },
            probes: GatewayUnderTest.NoProbes,
            settings: new Dictionary<string, string?> { ["Gateway:Health:StaleAfterSeconds"] = "30" });

        // The row has been read (the listing shows it), and is too old to count.
        await WaitUntilAsync(async () => Listed(await gateway.StatusAsync(), "p/primary") is { } b
            && b.GetProperty("healthRow").GetString() == "unhealthy" && b.GetProperty("health").GetString() == "unknown", "the stale row is read");
        var whileStale = await EchoReply.ReadAsync(await gateway.Client.GetAsync("/svc"));
        await tables.BackendHealth.UpsertEntityAsync(UnhealthyRow("p", "primary", TimeProvider.System.GetUtcNow()));
        using var failedOver = await gateway.WaitForAsync(
            () => new HttpRequestMessage(HttpMethod.Get, "/svc"),
            response => response.Content.ReadAsStringAsync().Result.Contains("\"backup\"", StringComparison.Ordinal));

        Assert.Equal("primary", whileStale.Service);
    }

    [Fact]
    public async Task BackendRemovedFromTheTables_ItsHealthRowIsRemoved()
    {
        await using var backend = await EchoBackend.StartAsync("b", "http://127.0.0.1:0");
        TestTables tables = null!;
        await using var gateway = await StartAsync(async t =>
        {
            tables = t;
            await t.AddBackendAsync("p", "leaving", ("Url", backend.Url.ToString()), ("HealthPath", "/health"));
            await t.AddRouteAsync("svc", ("Path", "/svc"), ("Backend", backend.Url.ToString()));
        });
        await WaitForRowAsync(tables, "p", "leaving", _ => true);

        await tables.Backends.DeleteEntityAsync("p", "leaving");

        await WaitUntilAsync(async () => !(await tables.BackendHealth.GetEntityIfExistsAsync<TableEntity>("p", "leaving")).HasValue, "the row of the removed backend is gone");
    }

    [Fact]
    public async Task BackendAtTheGatewaysOwnAddress_ProbeIsRefusedByTheConnectGuard()
    {
        TestTables tables = null!;
        await using var gateway = await StartAsync(async t =>
        {
            tables = t;
            await t.AddRouteAsync("hello", ("Path", "/hello"), ("ResponseStatus", 200));
        });

        // A probe is a request like any other: it may not loop back into the gateway.
        await tables.AddBackendAsync("p", "self", ("Url", gateway.BaseAddress.ToString()), ("HealthPath", "/hello"));
        var row = await WaitForRowAsync(tables, "p", "self", r => r.GetInt32("ConsecutiveFailures") >= 1);

        Assert.Contains("gateway's own listening address", row.GetString("LastError"), StringComparison.Ordinal);
    }

    private Task<GatewayUnderTest> StartAsync(
        Func<TestTables, Task> seed, string probes = GatewayUnderTest.ProbeEverySecond, IDictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["HealthProbeSchedule"] = probes,
            ["Gateway:Health:RowRefreshIntervalSeconds"] = "1",
            ["Gateway:Health:ProbeTimeoutSeconds"] = "2",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        return GatewayUnderTest.StartWithRowsAsync(azurite.ConnectionString, seed, values);
    }

    private static System.Text.Json.JsonElement? Listed(System.Text.Json.JsonElement status, string backend) =>
        status.GetProperty("backends").EnumerateArray().Where(b => b.GetProperty("backend").GetString() == backend).Cast<System.Text.Json.JsonElement?>().FirstOrDefault();

    private static TableEntity UnhealthyRow(string pool, string backend, DateTimeOffset checkedAt) => new(pool, backend)
    {
        ["Status"] = "Unhealthy", ["CheckedAt"] = checkedAt, ["LatencyMs"] = 1.0, ["ConsecutiveFailures"] = 2, ["ConsecutiveSuccesses"] = 0,
        ["LastError"] = "answered 503 to GET /health",
    };

    private static async Task<TableEntity> WaitForRowAsync(TestTables tables, string pool, string backend, Func<TableEntity, bool> condition)
    {
        TableEntity? last = null;
        await WaitUntilAsync(async () =>
        {
            var row = await tables.BackendHealth.GetEntityIfExistsAsync<TableEntity>(pool, backend);
            last = row.HasValue ? row.Value : null;
            return last is not null && condition(last);
        }, $"the BackendHealth row {pool}/{backend} meets the condition (last seen: {last?.GetString("Status")})");
        return last!;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > Verdict)
            {
                throw new Xunit.Sdk.XunitException($"Not true within {Verdict}: {what}.");
            }

            await Task.Delay(100);
        }
    }

    private static async Task<SwitchableBackend> SwitchableAsync(string name, HealthFlag healthy)
    {
        var calls = new CallCounter();
        var backend = await TestBackend.StartAsync(async context =>
        {
            if (context.Request.Path == "/health")
            {
                context.Response.StatusCode = healthy.Value ? 200 : 503;
                return;
            }

            calls.Increment();
            await context.Response.WriteAsync(name, context.RequestAborted);
        });
        return new SwitchableBackend(backend, calls);
    }

    /// <summary>A flag a backend's health answer follows, set by the test.</summary>
    private sealed class HealthFlag(bool value)
    {
        private volatile bool _value = value;

        public bool Value
        {
            get => _value;
            set => _value = value;
        }
    }

    private sealed class CallCounter
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void Increment() => Interlocked.Increment(ref _count);
    }

    /// <summary>A backend whose <c>/health</c> answers 200 or 503 as the test says, and which answers its name elsewhere.</summary>
    private sealed class SwitchableBackend(TestBackend backend, CallCounter calls) : IAsyncDisposable
    {
        public Uri Url => backend.Url;

        /// <summary>Requests other than health probes.</summary>
        public int Calls => calls.Count;

        public ValueTask DisposeAsync() => backend.DisposeAsync();
    }
}
