using Azure;
using FunctionsGateway.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace FunctionsGateway.Core.Tests.Authentication;

public sealed class ApiKeyAuthenticatorTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly FakeApiKeyLookup _storage = new();
    private readonly CapturingLogger _logs = new();
    private readonly AuthenticationOptions _options = new()
    {
        ApiKeyCacheSeconds = 30,
        ApiKeyNegativeCacheSeconds = 60,
    };

    private ApiKeyAuthenticator? _authenticator;

    private ApiKeyAuthenticator Authenticator => _authenticator ??=
        new ApiKeyAuthenticator(_storage, Options.Create(_options), _time, _logs.For<ApiKeyAuthenticator>());

    [Fact]
    public async Task AuthenticateAsync_KnownKey_SucceedsWithTheRowsConsumerPlanAndScopes()
    {
        var key = ApiKeyFactory.Generate();
        var hash = _storage.Add(key, "contoso", plan: "gold", scopes: "orders.read,orders.write");

        var result = await Authenticator.AuthenticateAsync(key, CancellationToken.None);

        Assert.Equal(AuthOutcome.Succeeded, result.Outcome);
        var identity = result.Identity!;
        Assert.Equal(AuthMethod.ApiKey, identity.Method);
        Assert.Equal("contoso", identity.Consumer);
        Assert.Equal("gold", identity.Plan);
        Assert.Equal(["orders.read", "orders.write"], identity.Scopes.ToArray());
        Assert.Equal(hash[..12], identity.Subject);
    }

    [Fact]
    public async Task AuthenticateAsync_SameKeyWithinCacheTime_ReadsStorageOnce()
    {
        var key = ApiKeyFactory.Generate();
        _storage.Add(key, "contoso");

        await Authenticator.AuthenticateAsync(key, CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(29));
        var second = await Authenticator.AuthenticateAsync(key, CancellationToken.None);

        Assert.Equal(AuthOutcome.Succeeded, second.Outcome);
        Assert.Equal(1, _storage.Calls);
    }

    [Fact]
    public async Task AuthenticateAsync_CacheHit_CompletesSynchronously()
    {
        var key = ApiKeyFactory.Generate();
        _storage.Add(key, "contoso");
        await Authenticator.AuthenticateAsync(key, CancellationToken.None);

        var hit = Authenticator.AuthenticateAsync(key, CancellationToken.None);

        Assert.True(hit.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task AuthenticateAsync_AfterCacheTime_ReadsStorageAgain()
    {
        var key = ApiKeyFactory.Generate();
        _storage.Add(key, "contoso");

        await Authenticator.AuthenticateAsync(key, CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(30));
        await Authenticator.AuthenticateAsync(key, CancellationToken.None);

        Assert.Equal(2, _storage.Calls);
    }

    [Fact]
    public async Task AuthenticateAsync_UnknownKeyRepeated_ReadsStorageOnceWithinNegativeCacheTime()
    {
        var key = ApiKeyFactory.Generate();

        var first = await Authenticator.AuthenticateAsync(key, CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(59));
        var second = await Authenticator.AuthenticateAsync(key, CancellationToken.None);

        AssertRejected(first);
        AssertRejected(second);
        Assert.Equal(1, _storage.Calls);
    }

    [Fact]
    public async Task AuthenticateAsync_KeyCreatedAfterItWasTried_WorksAfterNegativeCacheTime()
    {
        var key = ApiKeyFactory.Generate();
        await Authenticator.AuthenticateAsync(key, CancellationToken.None);
        _storage.Add(key, "contoso");

        _time.Advance(TimeSpan.FromSeconds(60));
        var result = await Authenticator.AuthenticateAsync(key, CancellationToken.None);

        Assert.Equal(AuthOutcome.Succeeded, result.Outcome);
        Assert.Equal(2, _storage.Calls);
    }

    [Fact]
    public async Task AuthenticateAsync_MissingWrongDisabledAndExpiredKeys_GetTheSameAnswer()
    {
        var disabled = ApiKeyFactory.Generate();
        var expired = ApiKeyFactory.Generate();
        _storage.Add(disabled, "contoso", enabled: false);
        _storage.Add(expired, "contoso", expiresAt: _time.GetUtcNow().AddDays(-1));

        var answers = new[]
        {
            await Authenticator.AuthenticateAsync(ApiKeyFactory.Generate(), CancellationToken.None),
            await Authenticator.AuthenticateAsync("a-wrong-key-typed-by-hand", CancellationToken.None),
            await Authenticator.AuthenticateAsync(disabled, CancellationToken.None),
            await Authenticator.AuthenticateAsync(expired, CancellationToken.None),
        };

        Assert.All(answers, AssertRejected);
        Assert.Single(answers.Select(a => (a.Outcome, a.Reason, a.Description, a.StatusCode, a.ErrorCode)).Distinct());
    }

    [Fact]
    public async Task AuthenticateAsync_RejectedKeys_LogThePreciseReasonWithAHashPrefixNeverTheKey()
    {
        var disabled = ApiKeyFactory.Generate();
        var expired = ApiKeyFactory.Generate();
        var unknown = ApiKeyFactory.Generate();
        var disabledHash = _storage.Add(disabled, "contoso", enabled: false);
        _storage.Add(expired, "contoso", expiresAt: _time.GetUtcNow().AddDays(-1));

        await Authenticator.AuthenticateAsync(disabled, CancellationToken.None);
        await Authenticator.AuthenticateAsync(expired, CancellationToken.None);
        await Authenticator.AuthenticateAsync(unknown, CancellationToken.None);

        var logged = _logs.AllText;
        Assert.Contains($"API key {disabledHash[..12]} rejected: disabled", logged, StringComparison.Ordinal);
        Assert.Contains("rejected: expired", logged, StringComparison.Ordinal);
        Assert.Contains("rejected: unknown", logged, StringComparison.Ordinal);
        Assert.DoesNotContain(disabled, logged, StringComparison.Ordinal);
        Assert.DoesNotContain(expired, logged, StringComparison.Ordinal);
        Assert.DoesNotContain(unknown, logged, StringComparison.Ordinal);
        Assert.DoesNotContain(disabledHash, logged, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuthenticateAsync_KeyExpiringWhileCached_IsRejectedFromTheCache()
    {
        var key = ApiKeyFactory.Generate();
        _storage.Add(key, "contoso", expiresAt: _time.GetUtcNow().AddSeconds(10));
        Assert.Equal(AuthOutcome.Succeeded, (await Authenticator.AuthenticateAsync(key, CancellationToken.None)).Outcome);

        _time.Advance(TimeSpan.FromSeconds(10));
        var result = await Authenticator.AuthenticateAsync(key, CancellationToken.None);

        AssertRejected(result);
        Assert.Equal(1, _storage.Calls);
    }

    [Fact]
    public async Task AuthenticateAsync_RotatedKeys_BothWorkUntilTheOldOneIsDisabledAndTheCacheExpires()
    {
        _options.ApiKeyStaleSeconds = 0;
        var oldKey = ApiKeyFactory.Generate();
        var newKey = ApiKeyFactory.Generate();
        _storage.Add(oldKey, "contoso");
        _storage.Add(newKey, "contoso");
        var oldBefore = await Authenticator.AuthenticateAsync(oldKey, CancellationToken.None);
        var newBefore = await Authenticator.AuthenticateAsync(newKey, CancellationToken.None);

        _storage.Disable(oldKey);
        var oldWhileCached = await Authenticator.AuthenticateAsync(oldKey, CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(30));
        var oldAfter = await Authenticator.AuthenticateAsync(oldKey, CancellationToken.None);
        var newAfter = await Authenticator.AuthenticateAsync(newKey, CancellationToken.None);

        Assert.Equal("contoso", oldBefore.Identity!.Consumer);
        Assert.Equal("contoso", newBefore.Identity!.Consumer);
        Assert.NotEqual(oldBefore.Identity.Subject, newBefore.Identity.Subject);
        Assert.Equal(AuthOutcome.Succeeded, oldWhileCached.Outcome);
        AssertRejected(oldAfter);
        Assert.Equal(AuthOutcome.Succeeded, newAfter.Outcome);
    }

    [Fact]
    public async Task AuthenticateAsync_InvalidRow_RejectsTheKeyAndWarnsNamingHashPrefixAndColumn()
    {
        var key = ApiKeyFactory.Generate();
        var hash = ApiKeyHasher.Hash(key);
        _storage.Put(new ApiKeyRecord { Hash = hash, InvalidColumn = "Enabled", Problem = "must be a bool (true or false)" });

        var result = await Authenticator.AuthenticateAsync(key, CancellationToken.None);

        AssertRejected(result);
        var warning = Assert.Single(_logs.Entries, e => e.Id.Id == 212);
        Assert.Equal("ApiKeys row '" + hash[..12] + "…' column 'Enabled' must be a bool (true or false); the key is rejected until the row is fixed", warning.Message);
    }

    [Fact]
    public async Task AuthenticateAsync_StorageDown_IsUnavailableAndNotCached()
    {
        var key = ApiKeyFactory.Generate();
        _storage.Add(key, "contoso");
        _storage.Failure = new RequestFailedException(503, "Server busy");

        var down = await Authenticator.AuthenticateAsync(key, CancellationToken.None);
        _storage.Failure = null;
        var back = await Authenticator.AuthenticateAsync(key, CancellationToken.None);

        Assert.Equal(AuthOutcome.Unavailable, down.Outcome);
        Assert.Equal(AuthFailureReason.KeyStoreUnavailable, down.Reason);
        Assert.Equal(503, down.StatusCode);
        Assert.Equal(AuthOutcome.Succeeded, back.Outcome);
        Assert.Equal(2, _storage.Calls);
    }

    [Fact]
    public async Task AuthenticateAsync_StorageDownAfterTheEntryExpired_ServesTheLastKnownRowAndWarnsWhenItsStaleTimeEnds()
    {
        _options.ApiKeyStaleSeconds = 300;
        var key = ApiKeyFactory.Generate();
        _storage.Add(key, "contoso");
        await Authenticator.AuthenticateAsync(key, CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(31));
        _storage.Failure = new RequestFailedException(500, "Internal error");

        var result = await Authenticator.AuthenticateAsync(key, CancellationToken.None);

        Assert.Equal(AuthOutcome.Succeeded, result.Outcome);
        var warning = Assert.Single(_logs.Entries, e => e.Id.Id == 214);
        Assert.Equal($"API key {ApiKeyHasher.Hash(key)[..12]} could not be looked up again (storage answered 500: Internal error); "
            + "serving its last known row until 2026-03-01 12:05:30Z at the latest", warning.Message);
    }

    [Fact]
    public async Task AuthenticateAsync_EntryExpiredWhileStorageIsSlow_IsAnsweredAtOnceFromTheStaleEntry()
    {
        var key = ApiKeyFactory.Generate();
        _storage.Add(key, "contoso");
        await Authenticator.AuthenticateAsync(key, CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(31));
        _storage.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var first = Authenticator.AuthenticateAsync(key, CancellationToken.None);
        var second = Authenticator.AuthenticateAsync(key, CancellationToken.None);

        Assert.True(first.IsCompletedSuccessfully);
        Assert.True(second.IsCompletedSuccessfully);
        Assert.Equal("contoso", (await first).Identity!.Consumer);
        Assert.Equal(2, _storage.Calls);
        _storage.Gate.SetResult();
    }

    [Fact]
    public async Task AuthenticateAsync_KeyDisabledWhileCached_StopsWorkingOnceTheBackgroundRefreshSucceeds()
    {
        var key = ApiKeyFactory.Generate();
        _storage.Add(key, "contoso");
        await Authenticator.AuthenticateAsync(key, CancellationToken.None);
        _storage.Disable(key);
        _time.Advance(TimeSpan.FromSeconds(31));
        _storage.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var whileRefreshing = await Authenticator.AuthenticateAsync(key, CancellationToken.None);
        _storage.Gate.SetResult();
        var afterRefresh = await PollAsync(async () => await Authenticator.AuthenticateAsync(key, CancellationToken.None),
            r => r.Outcome == AuthOutcome.Failed);

        Assert.Equal(AuthOutcome.Succeeded, whileRefreshing.Outcome);
        AssertRejected(afterRefresh);
        Assert.Equal(2, _storage.Calls);
    }

    [Fact]
    public async Task AuthenticateAsync_KeyDeletedWhileCached_StopsWorkingOnceTheBackgroundRefreshSucceeds()
    {
        var key = ApiKeyFactory.Generate();
        _storage.Add(key, "contoso");
        await Authenticator.AuthenticateAsync(key, CancellationToken.None);
        _storage.Remove(key);
        _time.Advance(TimeSpan.FromSeconds(31));

        var whileRefreshing = await Authenticator.AuthenticateAsync(key, CancellationToken.None);
        var afterRefresh = await Authenticator.AuthenticateAsync(key, CancellationToken.None);

        Assert.Equal(AuthOutcome.Succeeded, whileRefreshing.Outcome);
        AssertRejected(afterRefresh);
    }

    [Fact]
    public async Task AuthenticateAsync_StorageDownPastTheStaleTime_IsUnavailable()
    {
        _options.ApiKeyStaleSeconds = 60;
        var key = ApiKeyFactory.Generate();
        _storage.Add(key, "contoso");
        await Authenticator.AuthenticateAsync(key, CancellationToken.None);
        _storage.Failure = new RequestFailedException(503, "Server busy");
        _time.Advance(TimeSpan.FromSeconds(89));
        var withinStaleTime = await Authenticator.AuthenticateAsync(key, CancellationToken.None);

        _time.Advance(TimeSpan.FromSeconds(1));
        var pastStaleTime = await Authenticator.AuthenticateAsync(key, CancellationToken.None);

        Assert.Equal(AuthOutcome.Succeeded, withinStaleTime.Outcome);
        Assert.Equal(AuthOutcome.Unavailable, pastStaleTime.Outcome);
        Assert.Equal(AuthFailureReason.KeyStoreUnavailable, pastStaleTime.Reason);
    }

    [Fact]
    public async Task AuthenticateAsync_ManyRequestsWhileStorageIsDown_ReadItOnlyOnceEveryFiveSeconds()
    {
        var key = ApiKeyFactory.Generate();
        _storage.Add(key, "contoso");
        await Authenticator.AuthenticateAsync(key, CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(31));
        _storage.Failure = new RequestFailedException(503, "Server busy");

        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(AuthOutcome.Succeeded, (await Authenticator.AuthenticateAsync(key, CancellationToken.None)).Outcome);
        }

        _time.Advance(TimeSpan.FromSeconds(5));
        await Authenticator.AuthenticateAsync(key, CancellationToken.None);

        Assert.Equal(3, _storage.Calls);
    }

    [Theory]
    [InlineData("short")]
    [InlineData("has spaces inside the key value")]
    [InlineData("fgw_tooShortToBeOneOfOurs12345")]
    public async Task AuthenticateAsync_ImplausibleKey_IsRejectedWithoutAStorageLookup(string key)
    {
        var result = await Authenticator.AuthenticateAsync(key, CancellationToken.None);

        AssertRejected(result);
        Assert.Equal(0, _storage.Calls);
    }

    [Fact]
    public async Task AuthenticateAsync_GatewayKeyWithOneCharacterChanged_IsRejectedWithoutAStorageLookup()
    {
        var key = ApiKeyFactory.Generate();
        _storage.Add(key, "contoso");
        var typo = key[..10] + (key[10] == 'A' ? 'B' : 'A') + key[11..];

        var result = await Authenticator.AuthenticateAsync(typo, CancellationToken.None);

        AssertRejected(result);
        Assert.Equal(0, _storage.Calls);
    }

    [Fact]
    public async Task AuthenticateAsync_KeyFromAnotherSystem_IsLookedUp()
    {
        const string imported = "legacy-key-0123456789abcdef";
        _storage.Add(imported, "legacy-client");

        var result = await Authenticator.AuthenticateAsync(imported, CancellationToken.None);

        Assert.Equal("legacy-client", result.Identity!.Consumer);
    }

    [Fact]
    public async Task AuthenticateAsync_FloodOfRandomKeys_NegativeCacheStaysWithinItsBound()
    {
        _options.ApiKeyNegativeCacheSize = 3;
        var keys = Enumerable.Range(0, 4).Select(_ => ApiKeyFactory.Generate()).ToArray();

        foreach (var key in keys)
        {
            await Authenticator.AuthenticateAsync(key, CancellationToken.None);
        }

        // The fourth key cleared the full cache and is the only one remembered.
        await Authenticator.AuthenticateAsync(keys[3], CancellationToken.None);
        await Authenticator.AuthenticateAsync(keys[0], CancellationToken.None);
        Assert.Equal(5, _storage.Calls);
    }

    [Fact]
    public async Task AuthenticateAsync_FullNegativeCache_DropsExpiredEntriesFirst()
    {
        _options.ApiKeyNegativeCacheSize = 2;
        var early = ApiKeyFactory.Generate();
        var late = ApiKeyFactory.Generate();
        var newest = ApiKeyFactory.Generate();
        await Authenticator.AuthenticateAsync(early, CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(30));
        await Authenticator.AuthenticateAsync(late, CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(30));

        await Authenticator.AuthenticateAsync(newest, CancellationToken.None);
        await Authenticator.AuthenticateAsync(late, CancellationToken.None);

        Assert.Equal(3, _storage.Calls);
    }

    [Fact]
    public async Task AuthenticateAsync_ConcurrentRequestsWithTheSameNewKey_ShareOneLookup()
    {
        var key = ApiKeyFactory.Generate();
        _storage.Add(key, "contoso");
        _storage.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var pending = Enumerable.Range(0, 10).Select(_ => Authenticator.AuthenticateAsync(key, CancellationToken.None).AsTask()).ToArray();
        _storage.Gate.SetResult();
        var results = await Task.WhenAll(pending);

        Assert.All(results, r => Assert.Equal(AuthOutcome.Succeeded, r.Outcome));
        Assert.Equal(1, _storage.Calls);
    }

    [Fact]
    public async Task AuthenticateAsync_ManyDifferentNewKeys_AtMostMaxConcurrentLookupsRunAtOnce()
    {
        _options.MaxConcurrentApiKeyLookups = 2;
        _storage.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var pending = Enumerable.Range(0, 8).Select(_ => Authenticator.AuthenticateAsync(ApiKeyFactory.Generate(), CancellationToken.None).AsTask()).ToArray();
        _storage.Gate.SetResult();
        await Task.WhenAll(pending);

        Assert.Equal(8, _storage.Calls);
        Assert.Equal(2, _storage.MaxConcurrent);
    }

    [Fact]
    public async Task AuthenticateAsync_CallerCancelsWhileWaiting_ThrowsButTheLookupStillFillsTheCache()
    {
        var key = ApiKeyFactory.Generate();
        _storage.Add(key, "contoso");
        _storage.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cancel = new CancellationTokenSource();

        var waiting = Authenticator.AuthenticateAsync(key, cancel.Token).AsTask();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        _storage.Gate.SetResult();
        var result = await Authenticator.AuthenticateAsync(key, CancellationToken.None);

        Assert.Equal(AuthOutcome.Succeeded, result.Outcome);
        Assert.Equal(1, _storage.Calls);
    }

    [Fact]
    public async Task AuthenticateAsync_CacheHit_AllocatesNothing()
    {
        var key = ApiKeyFactory.Generate();
        _storage.Add(key, "contoso");
        await Authenticator.AuthenticateAsync(key, CancellationToken.None);
        await Authenticator.AuthenticateAsync(key, TimeSpan.FromSeconds(30), CancellationToken.None);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var hit = Authenticator.AuthenticateAsync(key, CancellationToken.None);
        var hitWhileThrottled = Authenticator.AuthenticateAsync(key, TimeSpan.FromSeconds(30), CancellationToken.None);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(hit.IsCompletedSuccessfully);
        Assert.True(hitWhileThrottled.IsCompletedSuccessfully);
        Assert.True((await hit).Succeeded);
        Assert.True((await hitWhileThrottled).Succeeded);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public async Task AuthenticateAsync_LookupQueueFull_AnswersUnavailableAtOnceWithRetryAfter()
    {
        _options.MaxConcurrentApiKeyLookups = 1;
        _options.MaxQueuedApiKeyLookups = 1;
        _storage.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = Authenticator.AuthenticateAsync(ApiKeyFactory.Generate(), CancellationToken.None).AsTask();
        var queued = Authenticator.AuthenticateAsync(ApiKeyFactory.Generate(), CancellationToken.None).AsTask();

        var refused = Authenticator.AuthenticateAsync(ApiKeyFactory.Generate(), CancellationToken.None);

        Assert.True(refused.IsCompletedSuccessfully);
        var result = await refused;
        Assert.Equal(AuthOutcome.Unavailable, result.Outcome);
        Assert.Equal(AuthFailureReason.KeyLookupQueueFull, result.Reason);
        Assert.Equal(503, result.StatusCode);
        Assert.Equal(2, result.RetryAfterSeconds);
        Assert.Equal(1, _storage.Calls);
        _storage.Gate.SetResult();
        Assert.All(await Task.WhenAll(running, queued), AssertRejected);
        Assert.Equal(2, _storage.Calls);
    }

    [Fact]
    public async Task AuthenticateAsync_LookupQueueFullForManyRequests_WarnsOnce()
    {
        _options.MaxConcurrentApiKeyLookups = 1;
        _options.MaxQueuedApiKeyLookups = 1;
        _storage.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = Authenticator.AuthenticateAsync(ApiKeyFactory.Generate(), CancellationToken.None).AsTask();
        var queued = Authenticator.AuthenticateAsync(ApiKeyFactory.Generate(), CancellationToken.None).AsTask();

        for (var i = 0; i < 5; i++)
        {
            await Authenticator.AuthenticateAsync(ApiKeyFactory.Generate(), CancellationToken.None);
        }

        _storage.Gate.SetResult();
        await Task.WhenAll(running, queued);
        var warning = Assert.Single(_logs.Entries, e => e.Id.Id == 215);
        Assert.StartsWith("The API-key lookup queue is full (1 waiting); keys not in memory are answered 503 until it drains", warning.Message, StringComparison.Ordinal);
        Assert.Equal(5, _logs.Entries.Count(e => e.Id.Id == 216));
    }

    [Fact]
    public async Task AuthenticateAsync_WaitingLookupWhoseOnlyCallerCancels_NeverReachesStorage()
    {
        _options.MaxConcurrentApiKeyLookups = 1;
        _storage.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = Authenticator.AuthenticateAsync(ApiKeyFactory.Generate(), CancellationToken.None).AsTask();
        var abandoned = ApiKeyFactory.Generate();
        using var cancel = new CancellationTokenSource();
        var waiting = Authenticator.AuthenticateAsync(abandoned, cancel.Token).AsTask();

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        _storage.Gate.SetResult();
        await running;

        Assert.Equal(1, _storage.Calls);
        Assert.DoesNotContain(ApiKeyHasher.Hash(abandoned), _storage.LookedUp);
        Assert.Contains(_logs.Entries, e => e.Id.Id == 217);
    }

    [Fact]
    public async Task AuthenticateAsync_WaitingLookupSharedByTwoCallers_RunsForTheOneThatStays()
    {
        _options.MaxConcurrentApiKeyLookups = 1;
        _storage.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = Authenticator.AuthenticateAsync(ApiKeyFactory.Generate(), CancellationToken.None).AsTask();
        var key = ApiKeyFactory.Generate();
        _storage.Add(key, "contoso");
        using var cancel = new CancellationTokenSource();
        var leaving = Authenticator.AuthenticateAsync(key, cancel.Token).AsTask();
        var staying = Authenticator.AuthenticateAsync(key, CancellationToken.None).AsTask();

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leaving);
        _storage.Gate.SetResult();
        var result = await staying;
        await running;

        Assert.Equal(AuthOutcome.Succeeded, result.Outcome);
        Assert.Equal(2, _storage.Calls);
    }

    [Fact]
    public async Task AuthenticateAsync_CancelledWaiter_FreesItsPlaceInTheQueue()
    {
        _options.MaxConcurrentApiKeyLookups = 1;
        _options.MaxQueuedApiKeyLookups = 1;
        _storage.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = Authenticator.AuthenticateAsync(ApiKeyFactory.Generate(), CancellationToken.None).AsTask();
        using var cancel = new CancellationTokenSource();
        var leaving = Authenticator.AuthenticateAsync(ApiKeyFactory.Generate(), cancel.Token).AsTask();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leaving);

        var next = Authenticator.AuthenticateAsync(ApiKeyFactory.Generate(), CancellationToken.None);

        Assert.False(next.IsCompleted);
        _storage.Gate.SetResult();
        AssertRejected(await next);
        await running;
        Assert.Equal(2, _storage.Calls);
    }

    [Fact]
    public async Task AuthenticateAsync_KnownKeyDueForRefreshWhileTheQueueIsFull_WaitsAndIsLookedUpFirst()
    {
        _options.ApiKeyStaleSeconds = 0;
        _options.MaxConcurrentApiKeyLookups = 1;
        _options.MaxQueuedApiKeyLookups = 1;
        var known = ApiKeyFactory.Generate();
        _storage.Add(known, "contoso");
        await Authenticator.AuthenticateAsync(known, CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(31));
        _storage.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = ApiKeyFactory.Generate();
        var second = ApiKeyFactory.Generate();
        var running = Authenticator.AuthenticateAsync(first, CancellationToken.None).AsTask();
        var queued = Authenticator.AuthenticateAsync(second, CancellationToken.None).AsTask();

        var refresh = Authenticator.AuthenticateAsync(known, CancellationToken.None);

        Assert.False(refresh.IsCompleted);
        _storage.Gate.SetResult();
        Assert.Equal(AuthOutcome.Succeeded, (await refresh).Outcome);
        await Task.WhenAll(running, queued);
        Assert.Equal([ApiKeyHasher.Hash(known), ApiKeyHasher.Hash(first), ApiKeyHasher.Hash(known), ApiKeyHasher.Hash(second)], _storage.LookedUp);
    }

    [Theory]
    [InlineData("fgw_")]
    [InlineData("legacy-key-0123456789abcdef")]
    [InlineData("short")]
    public async Task AuthenticateAsync_ThrottledCallerWithAKeyNotInMemory_Is429WithoutAStorageRead(string key)
    {
        key = key == "fgw_" ? ApiKeyFactory.Generate() : key;

        var result = await Authenticator.AuthenticateAsync(key, TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.Equal(AuthOutcome.Throttled, result.Outcome);
        Assert.Equal(429, result.StatusCode);
        Assert.Equal("too_many_failed_attempts", result.ErrorCode);
        Assert.Equal(30, result.RetryAfterSeconds);
        Assert.Equal(0, _storage.Calls);
    }

    [Fact]
    public async Task AuthenticateAsync_ThrottledCallerWithAKeyInTheNegativeCache_Is429()
    {
        var unknown = ApiKeyFactory.Generate();
        await Authenticator.AuthenticateAsync(unknown, CancellationToken.None);

        var result = await Authenticator.AuthenticateAsync(unknown, TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.Equal(AuthOutcome.Throttled, result.Outcome);
        Assert.Equal(1, _storage.Calls);
    }

    [Fact]
    public async Task AuthenticateAsync_ThrottledCallerWithACachedKey_SucceedsSynchronouslyWithoutAStorageRead()
    {
        var key = ApiKeyFactory.Generate();
        _storage.Add(key, "contoso");
        await Authenticator.AuthenticateAsync(key, CancellationToken.None);

        var hit = Authenticator.AuthenticateAsync(key, TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.True(hit.IsCompletedSuccessfully);
        Assert.Equal("contoso", (await hit).Identity!.Consumer);
        Assert.Equal(1, _storage.Calls);
    }

    [Fact]
    public async Task AuthenticateAsync_ThrottledCallerWithAKeyDueForRefresh_IsLookedUpSoADisabledKeyStopsWorking()
    {
        _options.ApiKeyStaleSeconds = 0;
        var key = ApiKeyFactory.Generate();
        _storage.Add(key, "contoso");
        await Authenticator.AuthenticateAsync(key, CancellationToken.None);
        _storage.Disable(key);
        _time.Advance(TimeSpan.FromSeconds(30));

        var result = await Authenticator.AuthenticateAsync(key, TimeSpan.FromSeconds(30), CancellationToken.None);

        AssertRejected(result);
        Assert.Equal(2, _storage.Calls);
    }

    private static async Task<AuthResult> PollAsync(Func<Task<AuthResult>> attempt, Func<AuthResult, bool> done)
    {
        // Real time: the refresh finishes on the thread pool.
        var started = TimeProvider.System.GetTimestamp();
        var result = await attempt();
        while (!done(result) && TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(10);
            result = await attempt();
        }

        return result;
    }

    private static void AssertRejected(AuthResult result)
    {
        Assert.Equal(AuthOutcome.Failed, result.Outcome);
        Assert.Equal(AuthFailureReason.ApiKeyInvalid, result.Reason);
        Assert.Equal(AuthMethod.ApiKey, result.Method);
        Assert.Equal("The API key is not valid", result.Description);
        Assert.Equal(401, result.StatusCode);
        Assert.Equal("invalid_key", result.ErrorCode);
    }
}
