using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Azure.Data.Tables;
using FunctionsGateway.Authentication;
using FunctionsGateway.DevHost.Samples;
using FunctionsGateway.IntegrationTests.Infrastructure;

namespace FunctionsGateway.IntegrationTests.Authentication;

/// <summary>
/// Floods of random API keys through the running gateway, on loopback, against the ApiKeys table in Azurite:
/// storage reads stay within the documented bound and a valid key keeps being served.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ApiKeyFloodTests(AzuriteFixture azurite) : IAsyncLifetime
{
    // The documented default of Gateway:Authentication:MaxFailedAuthPerClient; the flood runs on the defaults.
    private const int MaxFailedAuthPerClient = 20;
    private const int FloodRequests = 300;
    private const int FloodConcurrency = 8;
    private static readonly TimeSpan TimeBound = TimeSpan.FromSeconds(60);

    private EchoBackend _backend = null!;
    private TableClient _apiKeys = null!;
    private TestTables _tables = null!;

    public async Task InitializeAsync()
    {
        _backend = await EchoBackend.StartAsync("orders", "http://127.0.0.1:0");
        _tables = await TestTables.CreateAsync(azurite.ConnectionString);
        _apiKeys = new TableServiceClient(azurite.ConnectionString).GetTableClient("ApiKeys" + Guid.NewGuid().ToString("N")[..12]);
        await _apiKeys.CreateIfNotExistsAsync();
        await _tables.AddRouteAsync("key", ("Path", "/key/{**rest}"), ("Backend", _backend.Url.ToString()), ("Auth", "apikey"));
    }

    public async Task DisposeAsync() => await _backend.DisposeAsync();

    [Fact]
    public async Task RandomKeyFlood_ReadsStorageAtMostTheLimitPlusConcurrency_Answers401Then429_WhileAValidKeyIsServedThroughout()
    {
        await using var gateway = await StartAsync();
        var storage = CountingApiKeyLookup.Of(gateway);
        var valid = await CreateKeyAsync("steady-consumer");
        using var deadline = new CancellationTokenSource(TimeBound);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(gateway, valid, deadline.Token)).Status);

        var flood = FloodAsync(gateway, deadline.Token);
        var steady = KeepCallingAsync(gateway, valid, until: flood, deadline.Token);
        var floodAnswers = await flood;
        var steadyAnswers = await steady;

        var floodReads = storage.Hashes.Count(h => h != ApiKeyHasher.Hash(valid));
        Assert.InRange(floodReads, MaxFailedAuthPerClient, MaxFailedAuthPerClient + FloodConcurrency);
        Assert.Equal(FloodRequests, floodAnswers.Count);
        Assert.Equal(floodReads, floodAnswers.Count(a => a.Status == HttpStatusCode.Unauthorized));
        Assert.All(floodAnswers.Where(a => a.Status == HttpStatusCode.Unauthorized), a => Assert.Equal("invalid_key", a.Code));
        var throttled = floodAnswers.Where(a => a.Status != HttpStatusCode.Unauthorized).ToList();
        Assert.All(throttled, a =>
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, a.Status);
            Assert.Equal("too_many_failed_attempts", a.Code);
            Assert.InRange(a.RetryAfterSeconds ?? 0, 1, 60);
        });
        // Answers are collected as they complete, so a request let through before the throttle began can finish after
        // throttled ones: the counts, not the order, are the specification.
        Assert.Equal(FloodRequests - floodReads, throttled.Count);
        Assert.True(steadyAnswers.Count >= 20, $"The valid key was sent only {steadyAnswers.Count} times during the flood.");
        Assert.All(steadyAnswers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.Single(gateway.Logs.Entries, e => e.EventId.Id == 225);
    }

    [Fact]
    public async Task LookupQueueFull_IsAnswered503AuthUnavailableWithRetryAfterAtOnce()
    {
        await using var gateway = await StartAsync(SmallQueue());
        var storage = CountingApiKeyLookup.Of(gateway);
        storage.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var deadline = new CancellationTokenSource(TimeBound);

        var (held, queued, refused) = await FillTheQueueAsync(gateway, storage, deadline.Token);
        using var goAway = queued.GoAway;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.Status);
        Assert.Equal("auth_unavailable", refused.Code);
        Assert.Equal(2, refused.RetryAfterSeconds);
        storage.Gate.SetResult();
        Assert.Equal(HttpStatusCode.Unauthorized, (await held).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await queued.Answer).Status);
        Assert.Equal(2, storage.Hashes.Count);
    }

    [Fact]
    public async Task QueuedRequestWhoseClientGoesAway_NeverReachesStorage()
    {
        await using var gateway = await StartAsync(SmallQueue());
        var storage = CountingApiKeyLookup.Of(gateway);
        storage.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var deadline = new CancellationTokenSource(TimeBound);
        var (held, queued, _) = await FillTheQueueAsync(gateway, storage, deadline.Token);
        using var goAway = queued.GoAway;

        await goAway.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued.Answer);
        await gateway.Logs.WaitForAccessLogAsync("499 client_aborted");
        storage.Gate.SetResult();
        await held;
        var next = ApiKeyFactory.Generate();
        var nextAnswer = await SendAsync(gateway, next, deadline.Token);

        // The lookup slot serves its queue in order: had the abandoned lookup survived, it would have run before this one.
        Assert.Equal(HttpStatusCode.Unauthorized, nextAnswer.Status);
        Assert.Equal(2, storage.Hashes.Count);
        Assert.Equal(ApiKeyHasher.Hash(next), storage.Hashes[1]);
    }

    private static Dictionary<string, string?> SmallQueue() => new()
    {
        ["Gateway:Authentication:MaxConcurrentApiKeyLookups"] = "1",
        ["Gateway:Authentication:MaxQueuedApiKeyLookups"] = "1",
    };

    /// <summary>
    /// With one lookup slot and one queue place: holds one random key in storage, then sends two more at once;
    /// one takes the queue place and waits, the other is refused at once (which one is up to the scheduler).
    /// </summary>
    private static async Task<(Task<Answer> Held, (Task<Answer> Answer, CancellationTokenSource GoAway) Queued, Answer Refused)> FillTheQueueAsync(
        GatewayUnderTest gateway, CountingApiKeyLookup storage, CancellationToken deadline)
    {
        var held = SendAsync(gateway, ApiKeyFactory.Generate(), deadline);
        while (storage.Hashes.Count == 0)
        {
            deadline.ThrowIfCancellationRequested();
            await Task.Delay(20, deadline);
        }

        var goAwayFirst = CancellationTokenSource.CreateLinkedTokenSource(deadline);
        var goAwaySecond = CancellationTokenSource.CreateLinkedTokenSource(deadline);
        var first = SendAsync(gateway, ApiKeyFactory.Generate(), goAwayFirst.Token);
        var second = SendAsync(gateway, ApiKeyFactory.Generate(), goAwaySecond.Token);
        var refused = await Task.WhenAny(first, second).WaitAsync(deadline);
        (refused == first ? goAwayFirst : goAwaySecond).Dispose();
        return refused == first
            ? (held, (second, goAwaySecond), await first)
            : (held, (first, goAwayFirst), await second);
    }

    private static async Task<List<Answer>> FloodAsync(GatewayUnderTest gateway, CancellationToken deadline)
    {
        var answers = new List<Answer>();
        var remaining = FloodRequests;
        var workers = Enumerable.Range(0, FloodConcurrency).Select(async _ =>
        {
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                var answer = await SendAsync(gateway, ApiKeyFactory.Generate(), deadline);
                lock (answers)
                {
                    answers.Add(answer);
                }
            }
        });
        await Task.WhenAll(workers);
        return answers;
    }

    private static async Task<List<Answer>> KeepCallingAsync(GatewayUnderTest gateway, string key, Task until, CancellationToken deadline)
    {
        var answers = new List<Answer>();
        while (!until.IsCompleted || answers.Count < 20)
        {
            answers.Add(await SendAsync(gateway, key, deadline));
        }

        return answers;
    }

    private static async Task<Answer> SendAsync(GatewayUnderTest gateway, string key, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/key/orders");
        request.Headers.Add("X-Api-Key", key);
        using var response = await gateway.Client.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var code = response.Content.Headers.ContentType?.MediaType == "application/problem+json"
            ? JsonDocument.Parse(body).RootElement.GetProperty("code").GetString()
            : null;
        var retryAfter = response.Headers.RetryAfter?.Delta is { } delta ? (int?)delta.TotalSeconds : null;
        return new Answer(response.StatusCode, code, retryAfter);
    }

    private async Task<GatewayUnderTest> StartAsync(Dictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?> { ["Gateway:Tables:ApiKeys"] = _apiKeys.Name };
        foreach (var (name, value) in settings ?? [])
        {
            values[name] = value;
        }

        var gateway = await GatewayUnderTest.StartAsync(azurite.ConnectionString, _tables, values, CountingApiKeyLookup.Install);
        await gateway.WaitForRoutesAsync(1);
        return gateway;
    }

    private async Task<string> CreateKeyAsync(string consumer)
    {
        Assert.True(ApiKeyFactory.TryCreate(consumer, "gold", null, null, "flood test", TimeProvider.System.GetUtcNow(), out var created, out var error), error);
        await _apiKeys.AddEntityAsync(created!.Entity);
        return created.Plaintext;
    }

    private sealed record Answer(HttpStatusCode Status, string? Code, int? RetryAfterSeconds);
}
