using Azure.Data.Tables;
using FunctionsGateway.Core.Tests.RateLimiting;
using FunctionsGateway.IntegrationTests.Infrastructure;
using FunctionsGateway.RateLimiting;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace FunctionsGateway.IntegrationTests.RateLimiting;

/// <summary>
/// Counters in a real <c>RateLimits</c> table on Azurite, shared by several limiter instances as by several
/// gateway instances: never more admitted per window than the limit. Time is a frozen fake clock advanced window
/// by window, so every request of a round falls in the same window.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RateLimitStoreTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    private const string Counter = "route1-100per1m-contoso";
    private static readonly DateTimeOffset WindowStart = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Acquire_ConcurrentClientsOnFourInstances_NeverMoreThanTheLimitPerWindow(bool leased)
    {
        var operations = new RateLimitStoreOperations();
        var store = new MeteredCounterStore(new RateLimitStore(await NewTableAsync()), operations);
        var time = new FakeTimeProvider(WindowStart);
        var rule = new RateLimitRule(100, TimeSpan.FromMinutes(1), "100/1m");
        var instances = Enumerable.Range(0, 4).Select(_ => new SharedWindowRateLimiter(new SlidingWindowCounter(store, Counter, rule, time), leased, time)).ToList();

        var admittedPerWindow = new List<int>();
        for (var window = 0; window < 2; window++)
        {
            var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
            {
                using var lease = await instances[i % 4].AcquireAsync();
                return lease.IsAcquired;
            }));
            admittedPerWindow.Add(results.Count(admitted => admitted));
            time.Advance(TimeSpan.FromMinutes(2));
        }

        output.WriteLine($"{(leased ? "leased" : "exact")}: admitted per window {string.Join(", ", admittedPerWindow)}; "
            + $"{operations.Total} storage operations, {(double)operations.Total / admittedPerWindow.Sum():F3} per admitted request");
        Assert.All(admittedPerWindow, admitted => Assert.InRange(admitted, 90, 100));

        instances.ForEach(i => i.Dispose());
    }

    [Fact]
    public async Task Acquire_LeasedSteadyDemand_FewStorageOperationsPerAdmittedRequest()
    {
        var operations = new RateLimitStoreOperations();
        var store = new MeteredCounterStore(new RateLimitStore(await NewTableAsync()), operations);
        var time = new FakeTimeProvider(WindowStart);
        var rule = new RateLimitRule(1000, TimeSpan.FromMinutes(1), "1000/1m");
        using var limiter = new SharedWindowRateLimiter(new SlidingWindowCounter(store, Counter, rule, time), leased: true, time);

        var admitted = 0;
        for (var i = 0; i < 1200; i++)
        {
            using var lease = await limiter.AcquireAsync();
            admitted += lease.IsAcquired ? 1 : 0;
            time.Advance(TimeSpan.FromMilliseconds(20));
        }

        var perAdmitted = (double)operations.Total / admitted;
        output.WriteLine($"leased, one instance, 1200 requests over 24 s against 1000/1m: {admitted} admitted, {operations.Total} operations, {perAdmitted:F3} per admitted request");
        Assert.Equal(1000, admitted);
        Assert.InRange(perAdmitted, 0, 0.1);
    }

    [Fact]
    public async Task Acquire_LeasedFourInstancesSaturatedOverSeveralWindows_NeverOverAtLeast97PercentUsedAndFewOperations()
    {
        var rule = new RateLimitRule(2000, TimeSpan.FromSeconds(10), "2000/10s");
        var run = new SaturationRun(new RateLimitStore(await NewTableAsync()), rule) { Instances = 4, RequestsPerInstancePerTick = 5, Windows = 5 };

        var result = await run.RunAsync();

        output.WriteLine("leased, 4 instances, 10 x the limit of 2000/10s: " + result);
        Assert.All(result.AdmittedPerWindow, admitted => Assert.InRange(admitted, 1940, 2000));
        Assert.InRange(result.OperationsPerAdmitted, 0, 0.05);
    }

    [Fact]
    public async Task Acquire_BusyInstancesLeasingTheirDemand_NeverMoreThanTheLimitPerWindow()
    {
        var operations = new RateLimitStoreOperations();
        var store = new MeteredCounterStore(new RateLimitStore(await NewTableAsync()), operations);
        var time = new FakeTimeProvider(WindowStart);
        var rule = new RateLimitRule(20_000, TimeSpan.FromMinutes(1), "20000/1m");
        var instances = Enumerable.Range(0, 4).Select(_ => new SharedWindowRateLimiter(new SlidingWindowCounter(store, Counter, rule, time), leased: true, time)).ToList();
        var largestHeld = 0L;

        // Each instance sees 250 concurrent requests every 10 ms, 25,000 a second: far more than the largest lease of
        // a quiet limiter, so its leases are sized by its demand (and by a tenth of what the window has left).
        var admittedPerWindow = new List<int>();
        for (var window = 0; window < 2; window++)
        {
            var admitted = 0;
            for (var round = 0; round < 30; round++)
            {
                var results = await Task.WhenAll(Enumerable.Range(0, 1000).Select(async i =>
                {
                    using var lease = await instances[i % 4].AcquireAsync();
                    return lease.IsAcquired;
                }));
                admitted += results.Count(ok => ok);
                largestHeld = Math.Max(largestHeld, instances.Max(i => i.GetStatistics()!.CurrentAvailablePermits));
                time.Advance(TimeSpan.FromMilliseconds(10));
            }

            admittedPerWindow.Add(admitted);
            time.Advance(TimeSpan.FromMinutes(2));
        }

        output.WriteLine($"leased, 4 instances at 25,000 requests a second each against 20000/1m: admitted per window {string.Join(", ", admittedPerWindow)}; "
            + $"largest lease held {largestHeld}; {operations.Total} storage operations");
        Assert.True(largestHeld > SharedWindowRateLimiter.MaxLease, $"No instance held more than {SharedWindowRateLimiter.MaxLease} tokens: leases were not sized by demand.");
        Assert.All(admittedPerWindow, admitted => Assert.InRange(admitted, 19_000, 20_000));

        instances.ForEach(i => i.Dispose());
    }

    [Fact]
    public async Task TryUpdate_StaleETag_IsAConflictAndTheRowKeepsTheOtherWrite()
    {
        var store = new RateLimitStore(await NewTableAsync());
        Assert.NotNull(await store.TryInsertAsync(Counter, 7, 1, "a", default));
        var read = await store.ReadAsync(Counter, 7, default);
        Assert.NotNull(await store.TryUpdateAsync(Counter, 7, 2, "b", read!.ETag, default));

        var written = await store.TryUpdateAsync(Counter, 7, 5, "c", read.ETag, default);

        Assert.Null(written);
        Assert.Equal(new RateLimitCounter(2, (await store.ReadAsync(Counter, 7, default))!.ETag, "b"), await store.ReadAsync(Counter, 7, default));
    }

    [Fact]
    public async Task TryInsert_RowExists_IsAConflict()
    {
        var store = new RateLimitStore(await NewTableAsync());
        Assert.NotNull(await store.TryInsertAsync(Counter, 7, 1, "a", default));

        var written = await store.TryInsertAsync(Counter, 7, 9, "b", default);

        Assert.Null(written);
        Assert.Equal(1, (await store.ReadAsync(Counter, 7, default))!.Granted);
    }

    [Fact]
    public async Task Delete_MissingRow_IsNoError()
    {
        var store = new RateLimitStore(await NewTableAsync());

        await store.DeleteAsync(Counter, 3, default);

        Assert.Null(await store.ReadAsync(Counter, 3, default));
    }

    private async Task<TableClient> NewTableAsync()
    {
        var table = new TableServiceClient(azurite.ConnectionString).GetTableClient("RateLimits" + Guid.NewGuid().ToString("N")[..12]);
        await table.CreateIfNotExistsAsync();
        return table;
    }
}
