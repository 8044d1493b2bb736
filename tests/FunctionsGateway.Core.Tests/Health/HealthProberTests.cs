using System.Diagnostics;
using System.Net;
using Azure.Data.Tables;
using FunctionsGateway.Configuration;
using FunctionsGateway.Core.Tests.Authentication;
using FunctionsGateway.Health;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace FunctionsGateway.Core.Tests.Health;

/// <summary>
/// One probe round: which backends are probed and where, what counts as a success, the thresholds carried in the rows,
/// a hanging backend that delays no one else, rows of departed backends removed, and no secret in a row.
/// </summary>
public sealed class HealthProberTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly GatewaySnapshotProvider _snapshots = new();
    private readonly InMemoryBackendHealthStore _store = new();
    private readonly ScriptedBackends _network = new();
    private readonly HttpMessageInvoker _invoker;
    private readonly BackendStateRegistry _states;
    private readonly CapturingLogger _logs = new();
    private readonly HealthProber _prober;

    public HealthProberTests()
    {
        var options = Options.Create(new GatewayOptions());
        _invoker = new HttpMessageInvoker(_network);
        _states = new BackendStateRegistry(_snapshots, options, _time);
        _prober = new HealthProber(_snapshots, _store, _states, _invoker, options, _time, _logs.For<HealthProber>());
    }

    public void Dispose() => _invoker.Dispose();

    [Fact]
    public async Task ProbeAsync_EnabledBackendsWithAHealthPath_AreProbedAtUrlThenPath()
    {
        Publish(
            [
                Backend("orders", "eu", "http://eu.test/api", healthPath: "/healthz"),
                Backend("orders", "us", "http://us.test"),
                Backend("orders", "off", "http://off.test", enabled: false),
                Backend("orders", "unprobed", "http://unprobed.test", healthPath: string.Empty),
            ],
            [new TableEntity("public", "inline") { ["Path"] = "/inline", ["Backend"] = "http://inline.test" }]);

        var probed = await _prober.ProbeAsync(CancellationToken.None);

        Assert.Equal(2, probed);
        Assert.Equal(["http://eu.test/api/healthz", "http://us.test/health"], _network.Requested.Select(u => u.AbsoluteUri).Order());
        Assert.Equal([("orders", "eu"), ("orders", "us")], _store.Rows.Keys.Order());
    }

    [Theory]
    [InlineData(HttpStatusCode.OK, true)]
    [InlineData(HttpStatusCode.NoContent, true)]
    [InlineData((HttpStatusCode)299, true)]
    [InlineData(HttpStatusCode.MovedPermanently, false)]
    [InlineData(HttpStatusCode.NotFound, false)]
    [InlineData(HttpStatusCode.InternalServerError, false)]
    [InlineData(HttpStatusCode.ServiceUnavailable, false)]
    public async Task ProbeAsync_OnlyA2xxAnswer_IsASuccess(HttpStatusCode status, bool success)
    {
        Publish([Backend("orders", "eu", "http://eu.test")]);
        _network.Answers("eu.test", status);

        await _prober.ProbeAsync(CancellationToken.None);

        var row = _store.Rows[("orders", "eu")]!;
        Assert.Equal(success ? (0, 1) : (1, 0), (row.ConsecutiveFailures, row.ConsecutiveSuccesses));
        Assert.Equal(success ? null : $"answered {(int)status} to GET /health", row.LastError);
    }

    [Fact]
    public async Task ProbeAsync_HangingBackend_TheOthersRowsAreWrittenWithoutWaitingForIt()
    {
        Publish([Backend("orders", "stuck", "http://stuck.test"), Backend("orders", "fine", "http://fine.test")]);
        _network.Hangs("stuck.test");

        var round = _prober.ProbeAsync(CancellationToken.None);
        await WaitUntil(() => _store.Rows.ContainsKey(("orders", "fine")));

        // No fake time has passed: the answering backend's row is there while the other is still waiting.
        Assert.False(round.IsCompleted);
        Assert.False(_store.Rows.ContainsKey(("orders", "stuck")));

        _time.Advance(TimeSpan.FromSeconds(5));
        await round;

        var stuck = _store.Rows[("orders", "stuck")]!;
        Assert.Equal("no answer to GET /health within 5 s", stuck.LastError);
        Assert.Equal(5000, stuck.LatencyMs);
    }

    [Fact]
    public async Task ProbeAsync_SecondFailureInARow_WritesUnhealthyFromThePreviousRowsCount()
    {
        Publish([Backend("orders", "eu", "http://eu.test")]);
        _store.Rows[("orders", "eu")] = new BackendHealthReport(BackendHealthStatus.Healthy, _time.GetUtcNow().AddSeconds(-30), 3, 1, 0, "refused");
        _network.Fails("eu.test", "Connection refused (eu.test:80)");

        await _prober.ProbeAsync(CancellationToken.None);

        var row = _store.Rows[("orders", "eu")]!;
        Assert.Equal((BackendHealthStatus.Unhealthy, 2, 0), (row.Status, row.ConsecutiveFailures, row.ConsecutiveSuccesses));
        Assert.Equal("GET /health failed: Connection refused (eu.test:80)", row.LastError);
        Assert.Equal(_time.GetUtcNow(), row.CheckedAt);
        Assert.Contains(_logs.Entries, e => e.Id.Id == 501 && e.Level == LogLevel.Warning && e.Message.Contains("orders/eu is now Unhealthy", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ProbeAsync_PreviousRowStale_StartsCountingAfresh()
    {
        Publish([Backend("orders", "eu", "http://eu.test")]);
        _store.Rows[("orders", "eu")] = new BackendHealthReport(BackendHealthStatus.Unhealthy, _time.GetUtcNow().AddSeconds(-121), 3, 9, 0, "refused");

        await _prober.ProbeAsync(CancellationToken.None);

        var row = _store.Rows[("orders", "eu")]!;
        Assert.Equal((BackendHealthStatus.Unknown, 0, 1), (row.Status, row.ConsecutiveFailures, row.ConsecutiveSuccesses));
    }

    [Fact]
    public async Task ProbeAsync_AppliesTheVerdictToThisInstanceAtOnce()
    {
        var snapshot = Publish([Backend("orders", "eu", "http://eu.test")]);
        _store.Rows[("orders", "eu")] = new BackendHealthReport(BackendHealthStatus.Unknown, _time.GetUtcNow().AddSeconds(-30), 3, 0, 1, null);

        await _prober.ProbeAsync(CancellationToken.None);

        Assert.Equal(BackendHealthStatus.Healthy, _states.Get(snapshot.Pools["orders"].Backends[0]).StatusAt(_time.GetUtcNow()));
    }

    [Fact]
    public async Task ProbeAsync_RowsOfBackendsNoLongerProbed_AreRemoved()
    {
        Publish([Backend("orders", "eu", "http://eu.test"), Backend("orders", "off", "http://off.test", enabled: false)]);
        var old = new BackendHealthReport(BackendHealthStatus.Healthy, _time.GetUtcNow(), 3, 0, 2, null);
        _store.Rows[("orders", "off")] = old;
        _store.Rows[("payments", "left")] = old;
        _store.Rows[("orders", "unreadable")] = null;

        await _prober.ProbeAsync(CancellationToken.None);

        Assert.Equal([("orders", "off"), ("orders", "unreadable"), ("payments", "left")], _store.Deleted.Order());
        Assert.Equal([("orders", "eu")], _store.Rows.Keys);
    }

    [Fact]
    public async Task ProbeAsync_ErrorQuotingCredentials_IsWrittenRedacted()
    {
        Publish([Backend("orders", "eu", "http://eu.test")]);
        _network.Fails("eu.test", "Connection refused (http://ops:hunter2@eu.test/health?sig=s3cret)");

        await _prober.ProbeAsync(CancellationToken.None);

        var error = _store.Rows[("orders", "eu")]!.LastError!;
        Assert.DoesNotContain("hunter2", error, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", error, StringComparison.Ordinal);
        Assert.Contains("***@eu.test", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProbeAsync_PreviousRowsUnreadable_ProbesAndWritesAnywayAndWarns()
    {
        Publish([Backend("orders", "eu", "http://eu.test")]);
        _store.FailReads = true;

        var probed = await _prober.ProbeAsync(CancellationToken.None);

        Assert.Equal(1, probed);
        Assert.True(_store.Rows.ContainsKey(("orders", "eu")));
        Assert.Contains(_logs.Entries, e => e.Id.Id == 502 && e.Message.Contains("Server busy", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ProbeAsync_RoutesNeverLoaded_ProbesNothingAndWarns()
    {
        _snapshots.ReportFailedAttempt();

        var probed = await _prober.ProbeAsync(CancellationToken.None);

        Assert.Equal(0, probed);
        Assert.Empty(_network.Requested);
        Assert.Contains(_logs.Entries, e => e.Id.Id == 503);
    }

    private GatewaySnapshot Publish(IReadOnlyList<TableEntity> backends, IReadOnlyList<TableEntity>? routes = null)
    {
        var snapshot = GatewaySnapshotBuilder.Build("Routes", routes ?? [], "Backends", backends, _snapshots.Current, _time.GetUtcNow());
        Assert.Empty(snapshot.Problems);
        _snapshots.Publish(snapshot);
        return snapshot;
    }

    private static TableEntity Backend(string pool, string key, string url, string? healthPath = null, bool enabled = true)
    {
        var entity = new TableEntity(pool, key) { ["Url"] = url, ["Enabled"] = enabled };
        if (healthPath is not null)
        {
            entity["HealthPath"] = healthPath;
        }

        return entity;
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), "The condition did not hold within 10 s.");
            await Task.Delay(10);
        }
    }
}
