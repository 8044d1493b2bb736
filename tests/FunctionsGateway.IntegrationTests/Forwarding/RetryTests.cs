using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using FunctionsGateway.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace FunctionsGateway.IntegrationTests.Forwarding;

/// <summary>
/// Retries and circuit breakers through the DevHost's gateway, with real Kestrel backends on loopback: a dead or failing
/// backend is routed around for idempotent requests, never for a POST that reached it, a body is retried only when it
/// was buffered, a backend's Retry-After and the retry budget are respected, and each decision is counted and logged.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RetryTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Get_OneOfTwoBackendsRefusesConnections_EverySucceedsTheBreakerOpensThenLetsATrialThrough()
    {
        using var transitions = new MetricRecorder("gateway.circuit_breaker.transitions");
        var alive = new CountingBackend(200);
        await using var backend = await alive.StartAsync();
        await using var gateway = await StartAsync(
            async t =>
            {
                await t.AddBackendAsync("refusing", "dead", ("Url", ClosedPort.Url().ToString()));
                await t.AddBackendAsync("refusing", "alive", ("Url", backend.Url.ToString()));
                await t.AddRouteAsync("refusing", ("Path", "/refusing"), ("Pool", "refusing"));
            },
            new Dictionary<string, string?>
            {
                ["Gateway:Forwarding:CircuitBreaker:MinimumThroughput"] = "2",
                ["Gateway:Forwarding:CircuitBreaker:BreakDurationSeconds"] = "3",
            });

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 20; i++)
        {
            using var response = await gateway.Client.GetAsync("/refusing");
            statuses.Add(response.StatusCode);
        }

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(20, alive.Calls);
        Assert.Contains(gateway.Logs.Entries, e => e.EventId.Id == 430 && e.Message.Contains("refusing/dead", StringComparison.Ordinal));
        Assert.Equal(1, transitions.Sum(("backend", "refusing/dead"), ("state", "opened")));

        // While the break lasts the dead backend is skipped before any attempt: no more retries are needed.
        var retriesBefore = gateway.Logs.Entries.Count(e => e.EventId.Id == 410);
        for (var i = 0; i < 10; i++)
        {
            using var response = await gateway.Client.GetAsync("/refusing");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(retriesBefore, gateway.Logs.Entries.Count(e => e.EventId.Id == 410));

        // After the break one trial request reaches the dead backend, fails, is retried at the other, and the breaker opens again.
        await gateway.WaitForAsync(() => new HttpRequestMessage(HttpMethod.Get, "/refusing"),
            response => response.StatusCode == HttpStatusCode.OK && transitions.Sum(("backend", "refusing/dead"), ("state", "opened")) == 2);
        Assert.Equal(1, transitions.Sum(("backend", "refusing/dead"), ("state", "half_opened")));
    }

    [Fact]
    public async Task Get_OneOfThreeBackendsStoppedUnderLoad_NoRequestFails()
    {
        var backends = new[] { new CountingBackend(200), new CountingBackend(200), new CountingBackend(200) };
        var running = new List<TestBackend>();
        foreach (var backend in backends)
        {
            running.Add(await backend.StartAsync());
        }

        await using var gateway = await StartAsync(async t =>
        {
            for (var i = 0; i < running.Count; i++)
            {
                await t.AddBackendAsync("killed", $"b{i}", ("Url", running[i].Url.ToString()));
            }

            await t.AddRouteAsync("killed", ("Path", "/killed"), ("Pool", "killed"));
        });
        var failures = new ConcurrentQueue<string>();
        var sent = 0;

        // Four clients, 150 requests each, on loopback; the first backend is stopped a third of the way through.
        var clients = Enumerable.Range(0, 4).Select(async _ =>
        {
            using var client = gateway.NewClient(TimeSpan.FromSeconds(30));
            for (var i = 0; i < 150; i++)
            {
                if (Interlocked.Increment(ref sent) == 200)
                {
                    await running[0].DisposeAsync();
                }

                using var response = await client.GetAsync("/killed");
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    failures.Enqueue($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                }
            }
        });
        await Task.WhenAll(clients);

        foreach (var backend in running.Skip(1))
        {
            await backend.DisposeAsync();
        }

        Assert.Empty(failures);
        Assert.Contains(gateway.Logs.Entries, e => e.EventId.Id == 410 && e.Message.Contains("killed/b0", StringComparison.Ordinal));
        Assert.True(backends[1].Calls > 0 && backends[2].Calls > 0);
    }

    [Fact]
    public async Task Get_BackendAnswers503_RetriedAtTheOtherBackendAndCounted()
    {
        using var retries = new MetricRecorder("gateway.retries");
        var failing = new CountingBackend(503);
        var healthy = new CountingBackend(200);
        await using var first = await failing.StartAsync();
        await using var second = await healthy.StartAsync();
        await using var gateway = await StartWithPrimaryAndBackupAsync("get503", first.Url.ToString(), second.Url.ToString());

        using var response = await gateway.Client.GetAsync("/get503");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("from 200", await response.Content.ReadAsStringAsync());
        Assert.Equal((1, 1), (failing.Calls, healthy.Calls));
        Assert.Equal(1, retries.Sum(("route", "public/get503"), ("backend", "get503/primary"), ("reason", "status_503")));
        Assert.Contains(gateway.Logs.Entries, e => e.EventId.Id == 410 && e.Message.Contains("status_503", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Get_BackendSilentPastTheTimeout_RetriedAtTheOtherBackend()
    {
        await using var hanging = await TestBackend.StartAsync(context => Task.Delay(Timeout.Infinite, context.RequestAborted));
        var healthy = new CountingBackend(200);
        await using var second = await healthy.StartAsync();
        await using var gateway = await StartWithPrimaryAndBackupAsync("silent", hanging.Url.ToString(), second.Url.ToString(), routeColumn: ("TimeoutSeconds", 1));

        using var response = await gateway.Client.GetAsync("/silent");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, healthy.Calls);
        Assert.Contains(gateway.Logs.Entries, e => e.EventId.Id == 410 && e.Message.Contains("(timeout)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Post_BackendAnswers503_NotRetriedAndTheAnswerGoesBackAsItIs()
    {
        using var skipped = new MetricRecorder("gateway.retries.skipped");
        var failing = new CountingBackend(503);
        var healthy = new CountingBackend(200);
        await using var first = await failing.StartAsync();
        await using var second = await healthy.StartAsync();
        await using var gateway = await StartWithPrimaryAndBackupAsync("post503", first.Url.ToString(), second.Url.ToString());

        using var response = await gateway.Client.PostAsync("/post503", new StringContent("order"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("from 503", await response.Content.ReadAsStringAsync());
        Assert.Equal((1, 0), (failing.Calls, healthy.Calls));
        Assert.Equal(1, skipped.Sum(("route", "public/post503"), ("reason", "not_idempotent")));
    }

    [Fact]
    public async Task Post_BackendRefusesTheConnection_RetriedWithItsBodyBecauseNothingWasSent()
    {
        var healthy = new CountingBackend(201);
        await using var second = await healthy.StartAsync();
        await using var gateway = await StartWithPrimaryAndBackupAsync("postdead", ClosedPort.Url().ToString(), second.Url.ToString(),
            new Dictionary<string, string?> { ["Gateway:Forwarding:RetryBodyBufferBytes"] = "0" });
        var body = new byte[100_000];
        new Random(3).NextBytes(body);

        using var response = await gateway.Client.PostAsync("/postdead", new ByteArrayContent(body));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(body, Assert.Single(healthy.Bodies));
        Assert.Contains(gateway.Logs.Entries, e => e.EventId.Id == 410 && e.Message.Contains("(connect_failure)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Put_SmallBody_RetriedWithTheSameBytesAtTheSecondBackend()
    {
        var failing = new CountingBackend(503);
        var healthy = new CountingBackend(200);
        await using var first = await failing.StartAsync();
        await using var second = await healthy.StartAsync();
        await using var gateway = await StartWithPrimaryAndBackupAsync("putsmall", first.Url.ToString(), second.Url.ToString());
        var body = new byte[4000];
        new Random(9).NextBytes(body);

        using var response = await gateway.Client.PutAsync("/putsmall", new ByteArrayContent(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, Assert.Single(failing.Bodies));
        Assert.Equal(body, Assert.Single(healthy.Bodies));
    }

    [Fact]
    public async Task Put_BodyOverTheBufferCap_StreamsIsNotRetriedAndIsCounted()
    {
        using var skipped = new MetricRecorder("gateway.retries.skipped");
        var failing = new CountingBackend(503);
        var healthy = new CountingBackend(200);
        await using var first = await failing.StartAsync();
        await using var second = await healthy.StartAsync();
        await using var gateway = await StartWithPrimaryAndBackupAsync("putlarge", first.Url.ToString(), second.Url.ToString(),
            new Dictionary<string, string?> { ["Gateway:Forwarding:RetryBodyBufferBytes"] = "1024" });

        using var response = await gateway.Client.PutAsync("/putlarge", new ByteArrayContent(new byte[10_000]));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(10_000, Assert.Single(failing.Bodies).Length);
        Assert.Equal(0, healthy.Calls);
        Assert.Equal(1, skipped.Sum(("route", "public/putlarge"), ("reason", "body_too_large")));
        Assert.Contains(gateway.Logs.Entries, e => e.EventId.Id == 411 && e.Message.Contains("body_too_large", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Get_RetryBudgetUsedUp_FurtherFailuresGoBackWithoutRetry()
    {
        using var skipped = new MetricRecorder("gateway.retries.skipped");
        var failing = new CountingBackend(503);
        await using var backend = await failing.StartAsync();
        await using var gateway = await StartAsync(
            async t => await t.AddRouteAsync("budget", ("Path", "/budget"), ("Backend", backend.Url.ToString()), ("Retries", 1)),
            new Dictionary<string, string?>
            {
                ["Gateway:Forwarding:RetryBudgetPercent"] = "0",
                ["Gateway:Forwarding:RetryBudgetMinPerSecond"] = "1",
            });

        for (var i = 0; i < 15; i++)
        {
            using var response = await gateway.Client.GetAsync("/budget");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        }

        // One retry a second over a 10 s window: ten requests were retried, five were not.
        Assert.Equal(25, failing.Calls);
        Assert.Equal(5, skipped.Sum(("route", "public/budget"), ("reason", "budget")));
    }

    [Fact]
    public async Task Get_OnlyBackendAnswers503WithRetryAfter_NotRetriedAndTheAnswerGoesBackAsItIs()
    {
        var failing = new CountingBackend(503, retryAfter: "5");
        await using var backend = await failing.StartAsync();
        await using var gateway = await StartAsync(
            async t => await t.AddRouteAsync("later", ("Path", "/later"), ("Backend", backend.Url.ToString())));

        using var response = await gateway.Client.GetAsync("/later");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("5", response.Headers.GetValues("Retry-After").Single());
        Assert.Equal(1, failing.Calls);
        Assert.Contains(gateway.Logs.Entries, e => e.EventId.Id == 411 && e.Message.Contains("retry_after", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Get_RouteWithoutRetries_DeadBackendAnswered502()
    {
        await using var gateway = await StartAsync(
            async t => await t.AddRouteAsync("noretry", ("Path", "/noretry"), ("Backend", ClosedPort.Url().ToString()), ("Retries", 0)));

        using var response = await gateway.Client.GetAsync("/noretry");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("backend_unreachable", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(gateway.Logs.Entries, e => e.EventId.Id == 410);
    }

    private Task<GatewayUnderTest> StartAsync(Func<TestTables, Task> seed, IDictionary<string, string?>? settings = null) =>
        GatewayUnderTest.StartWithRowsAsync(azurite.ConnectionString, seed, settings);

    /// <summary>
    /// A route <c>/NAME</c> over the pool NAME: <c>primary</c> takes every first attempt, <c>backup</c> (priority 1) is
    /// where a retry goes, so each test knows which backend sees what.
    /// </summary>
    private Task<GatewayUnderTest> StartWithPrimaryAndBackupAsync(string name, string primary, string backup,
        IDictionary<string, string?>? settings = null, (string Column, object Value)? routeColumn = null) =>
        StartAsync(
            async t =>
            {
                await t.AddBackendAsync(name, "primary", ("Url", primary));
                await t.AddBackendAsync(name, "backup", ("Url", backup), ("Priority", 1));
                await t.AddRouteAsync(name, routeColumn is { } column
                    ? [("Path", $"/{name}"), ("Pool", name), column]
                    : [("Path", $"/{name}"), ("Pool", name)]);
            },
            settings);

    /// <summary>A backend that reads the body, keeps it, and answers a fixed status with the body <c>from STATUS</c>.</summary>
    private sealed class CountingBackend(int status, string? retryAfter = null)
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public ConcurrentQueue<byte[]> Bodies { get; } = new();

        public Task<TestBackend> StartAsync() => TestBackend.StartAsync(async context =>
        {
            Interlocked.Increment(ref _calls);
            var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            if (body.Length > 0)
            {
                Bodies.Enqueue(body.ToArray());
            }

            context.Response.StatusCode = status;
            if (retryAfter is not null)
            {
                context.Response.Headers.RetryAfter = retryAfter;
            }

            await context.Response.WriteAsync($"from {status}", context.RequestAborted);
        });
    }
}
