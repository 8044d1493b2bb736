using FunctionsGateway.Authentication;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Tokens;

namespace FunctionsGateway.Core.Tests.Authentication;

public sealed class SigningKeySourceTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(TimeProvider.System.GetUtcNow());
    private readonly CapturingLogger _logs = new();
    private TestOidcProvider _provider = null!;

    public async Task InitializeAsync()
    {
        _provider = await TestOidcProvider.StartAsync();
        _provider.Publish(TestKeys.Rsa1);
    }

    public async Task DisposeAsync() => await _provider.DisposeAsync();

    [Fact]
    public async Task GetAsync_FirstCall_FetchesDiscoveryThenJwks()
    {
        var source = CreateSource();

        var snapshot = await source.GetAsync(CancellationToken.None);

        Assert.NotNull(snapshot);
        Assert.Equal(_provider.Issuer, snapshot.Issuer);
        Assert.Equal(["rsa-1"], snapshot.KeyIds.ToArray());
        Assert.Equal(1, _provider.DiscoveryRequests);
        Assert.Equal(1, _provider.JwksRequests);
    }

    [Fact]
    public async Task GetAsync_WithinRefreshInterval_DoesNotFetchAgain()
    {
        var source = CreateSource(refreshMinutes: 60);
        await source.GetAsync(CancellationToken.None);

        _time.Advance(TimeSpan.FromMinutes(59));
        await source.GetAsync(CancellationToken.None);

        Assert.Equal(1, _provider.JwksRequests);
    }

    [Fact]
    public async Task GetAsync_KeysOlderThanRefreshInterval_ReturnsThemAndRefreshesInTheBackground()
    {
        var source = CreateSource(refreshMinutes: 60);
        var first = await source.GetAsync(CancellationToken.None);
        _provider.Publish(TestKeys.Rsa1, TestKeys.Rsa2);
        _time.Advance(TimeSpan.FromMinutes(60));

        var returned = await source.GetAsync(CancellationToken.None);
        await source.PendingRefresh;

        Assert.Same(first, returned);
        Assert.Equal(["rsa-1", "rsa-2"], source.Current!.KeyIds.Order().ToArray());
        Assert.Equal(2, _provider.JwksRequests);
    }

    [Fact]
    public async Task GetAsync_EndpointDownWhenKeysAreStale_KeepsTheLastKeysAndWarns()
    {
        var source = CreateSource(refreshMinutes: 60);
        var fetched = await source.GetAsync(CancellationToken.None);
        await _provider.TakeDownAsync();
        _time.Advance(TimeSpan.FromMinutes(61));

        var returned = await source.GetAsync(CancellationToken.None);
        await source.PendingRefresh;

        Assert.Same(fetched, returned);
        Assert.Same(fetched, source.Current);
        var warning = Assert.Single(_logs.Entries, e => e.Id.Id == 203);
        Assert.Contains("still using the 1 keys fetched before", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_EndpointDownAfterAFailedRefresh_RetriesOnlyAfterTheMinimumInterval()
    {
        var source = CreateSource(refreshMinutes: 60, minimumSeconds: 30);
        await source.GetAsync(CancellationToken.None);
        _provider.PublishJwks("not json");
        _time.Advance(TimeSpan.FromMinutes(61));
        await source.GetAsync(CancellationToken.None);
        await source.PendingRefresh;
        var fetchesAfterFailure = _provider.JwksRequests;

        _time.Advance(TimeSpan.FromSeconds(29));
        await source.GetAsync(CancellationToken.None);
        await source.PendingRefresh;
        var fetchesWithinInterval = _provider.JwksRequests;
        _time.Advance(TimeSpan.FromSeconds(1));
        await source.GetAsync(CancellationToken.None);
        await source.PendingRefresh;

        Assert.Equal(fetchesAfterFailure, fetchesWithinInterval);
        Assert.Equal(fetchesAfterFailure + 1, _provider.JwksRequests);
        Assert.Equal(["rsa-1"], source.Current!.KeyIds.ToArray());
    }

    [Fact]
    public async Task GetAsync_EndpointDownBeforeAnyFetch_ReturnsNull()
    {
        var source = CreateSource();
        await _provider.TakeDownAsync();

        var snapshot = await source.GetAsync(CancellationToken.None);

        Assert.Null(snapshot);
        Assert.Contains(_logs.Entries, e => e.Id.Id == 203);
    }

    [Fact]
    public async Task FindUnknownKeyAsync_RightAfterARoutineFetch_FetchesAtOnceSoARolloverNeverFailsItsFirstToken()
    {
        var source = CreateSource();
        await source.GetAsync(CancellationToken.None);
        _provider.Publish(TestKeys.Rsa2);
        _time.Advance(TimeSpan.FromSeconds(1));

        var (lookup, keys) = await source.FindUnknownKeyAsync("rsa-2", CancellationToken.None);

        Assert.Equal(SigningKeyLookup.Found, lookup);
        Assert.Equal(["rsa-2"], keys!.KeyIds.ToArray());
        Assert.Equal(2, _provider.JwksRequests);
    }

    [Fact]
    public async Task FindUnknownKeyAsync_KeyPublishedJustAfterAnAttackersKidWasLookedFor_WaitsForTheNextAllowedFetchAndFindsIt()
    {
        var source = CreateSource(unknownKeySeconds: 5);
        await source.GetAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(1));
        var (attackerLookup, _) = await source.FindUnknownKeyAsync("invented-by-attacker", CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(1));
        _provider.Publish(TestKeys.Rsa1, TestKeys.Rsa2);
        _time.Advance(TimeSpan.FromSeconds(1));

        var genuine = source.FindUnknownKeyAsync("rsa-2", CancellationToken.None).AsTask();
        var waitedWhileThrottled = !genuine.IsCompleted;
        var fetchesWhileThrottled = _provider.JwksRequests;
        _time.Advance(TimeSpan.FromSeconds(3));
        var (lookup, keys) = await genuine;

        Assert.Equal(SigningKeyLookup.Unknown, attackerLookup);
        Assert.True(waitedWhileThrottled);
        Assert.Equal(2, fetchesWhileThrottled);
        Assert.Equal(SigningKeyLookup.Found, lookup);
        Assert.Contains("rsa-2", (IReadOnlySet<string>)keys!.KeyIds);
        Assert.Equal(3, _provider.JwksRequests);
    }

    [Fact]
    public async Task FindUnknownKeyAsync_KidSeenWhileAFetchThatStartedBeforeItRuns_WaitsForAFetchThatStartedAfterIt()
    {
        var gated = new GatedDocumentRetriever(new MetadataDocumentRetriever(TestHttpClients.Factory, requireHttps: false));
        var source = CreateSource(unknownKeySeconds: 5, documents: gated);
        await source.GetAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(1));
        gated.HoldJwksAfterReading();
        var attacker = source.FindUnknownKeyAsync("invented-by-attacker", CancellationToken.None).AsTask();
        await gated.JwksRead;
        _provider.Publish(TestKeys.Rsa1, TestKeys.Rsa2);

        var genuine = source.FindUnknownKeyAsync("rsa-2", CancellationToken.None).AsTask();
        gated.Release();
        await attacker;
        var waitedForTheOlderFetch = !genuine.IsCompleted;
        _time.Advance(TimeSpan.FromSeconds(5));
        var (lookup, _) = await genuine;

        Assert.True(waitedForTheOlderFetch);
        Assert.Equal(SigningKeyLookup.Found, lookup);
    }

    [Fact]
    public async Task FindUnknownKeyAsync_KidAFreshFetchLacked_IsRefusedAtOnceWithoutWaitingOrFetching()
    {
        var source = CreateSource(unknownKeySeconds: 5);
        await source.GetAsync(CancellationToken.None);
        await source.FindUnknownKeyAsync("invented-by-attacker", CancellationToken.None);
        var fetches = _provider.JwksRequests;
        _time.Advance(TimeSpan.FromSeconds(1));

        var again = source.FindUnknownKeyAsync("invented-by-attacker", CancellationToken.None);

        Assert.True(again.IsCompleted);
        Assert.Equal(SigningKeyLookup.Unknown, (await again).Lookup);
        Assert.Equal(fetches, _provider.JwksRequests);
        Assert.Contains(_logs.Entries, e => e.Id.Id == 209);
    }

    [Fact]
    public async Task FindUnknownKeyAsync_RememberedKidOnceItsMemoryExpired_IsLookedForAgain()
    {
        var source = CreateSource(unknownKeySeconds: 5);
        await source.GetAsync(CancellationToken.None);
        await source.FindUnknownKeyAsync("rsa-2", CancellationToken.None);
        _provider.Publish(TestKeys.Rsa1, TestKeys.Rsa2);
        _time.Advance(SigningKeySource.UnknownKeyMemory);

        var (lookup, _) = await source.FindUnknownKeyAsync("rsa-2", CancellationToken.None);

        Assert.Equal(SigningKeyLookup.Found, lookup);
    }

    [Fact]
    public async Task FindUnknownKeyAsync_FloodOfRandomKids_FetchesAtMostOncePerIntervalAndRefusesThemAll()
    {
        var source = CreateSource(unknownKeySeconds: 5);
        await source.GetAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(1));
        var before = _provider.JwksRequests;
        var lookups = new List<Task<(SigningKeyLookup Lookup, SigningKeySnapshot? Keys)>>();

        for (var second = 0; second < 20; second++)
        {
            for (var i = 0; i < 10; i++)
            {
                lookups.Add(source.FindUnknownKeyAsync($"random-{second}-{i}", CancellationToken.None).AsTask());
            }

            _time.Advance(TimeSpan.FromSeconds(1));
        }

        _time.Advance(TimeSpan.FromSeconds(5));
        var results = await Task.WhenAll(lookups);

        // 25 s of fake time at one fetch per 5 s: at 0, 5, 10, 15, 20 and 25 s at most.
        Assert.InRange(_provider.JwksRequests - before, 1, 6);
        Assert.All(results, result => Assert.Equal(SigningKeyLookup.Unknown, result.Lookup));
    }

    [Fact]
    public async Task FindUnknownKeyAsync_ManyConcurrentCallersForANewKid_ShareOneFetchAndAllFindIt()
    {
        var source = CreateSource();
        await source.GetAsync(CancellationToken.None);
        _provider.Publish(TestKeys.Rsa1, TestKeys.Rsa2);
        _time.Advance(TimeSpan.FromMinutes(1));

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => source.FindUnknownKeyAsync("rsa-2", CancellationToken.None).AsTask()));

        Assert.Equal(2, _provider.JwksRequests);
        Assert.All(results, result => Assert.Equal(SigningKeyLookup.Found, result.Lookup));
    }

    [Fact]
    public async Task FindUnknownKeyAsync_MoreWaitersThanTheCap_AnswersTheRestBusyAtOnce()
    {
        var source = CreateSource(unknownKeySeconds: 5);
        await source.GetAsync(CancellationToken.None);
        await source.FindUnknownKeyAsync("first-random", CancellationToken.None);
        var waiting = Enumerable.Range(0, SigningKeySource.MaxUnknownKeyWaiters)
            .Select(i => source.FindUnknownKeyAsync($"random-{i}", CancellationToken.None).AsTask())
            .ToList();

        var beyondTheCap = source.FindUnknownKeyAsync("one-too-many", CancellationToken.None);

        Assert.True(beyondTheCap.IsCompleted);
        Assert.Equal(SigningKeyLookup.Busy, (await beyondTheCap).Lookup);
        Assert.Equal(SigningKeySource.MaxUnknownKeyWaiters, source.UnknownKeyWaiters);
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.All(await Task.WhenAll(waiting), result => Assert.Equal(SigningKeyLookup.Unknown, result.Lookup));
        Assert.Equal(3, _provider.JwksRequests);
    }

    [Fact]
    public async Task FindUnknownKeyAsync_RequestCancelledWhileWaiting_StopsWaitingAndFreesItsPlace()
    {
        var source = CreateSource(unknownKeySeconds: 5);
        await source.GetAsync(CancellationToken.None);
        await source.FindUnknownKeyAsync("first-random", CancellationToken.None);
        using var request = new CancellationTokenSource();
        var waiting = source.FindUnknownKeyAsync("rsa-2", request.Token).AsTask();
        var waitersBefore = source.UnknownKeyWaiters;

        await request.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(1, waitersBefore);
        Assert.Equal(0, source.UnknownKeyWaiters);
    }

    [Fact]
    public async Task FindUnknownKeyAsync_FetchFails_RefusesWithoutRememberingTheKid()
    {
        var source = CreateSource(unknownKeySeconds: 5);
        await source.GetAsync(CancellationToken.None);
        _provider.PublishJwks("not json");
        var (failed, _) = await source.FindUnknownKeyAsync("rsa-2", CancellationToken.None);
        _provider.Publish(TestKeys.Rsa1, TestKeys.Rsa2);
        _time.Advance(TimeSpan.FromSeconds(5));

        var (lookup, _) = await source.FindUnknownKeyAsync("rsa-2", CancellationToken.None);

        Assert.Equal(SigningKeyLookup.Unknown, failed);
        Assert.Equal(SigningKeyLookup.Found, lookup);
    }

    [Fact]
    public async Task GetAsync_JwksWithSymmetricAndEncryptionKeys_KeepsOnlyAsymmetricSigningKeys()
    {
        var rsa = TestKeys.Rsa1.ToJwk();
        _provider.PublishJwks($$"""
            {"keys":[
              {"kty":"oct","kid":"hmac","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA","use":"sig"},
              {"kty":"RSA","kid":"enc-key","use":"enc","n":"{{rsa["n"]}}","e":"{{rsa["e"]}}"},
              {"kty":"RSA","kid":"rsa-1","use":"sig","n":"{{rsa["n"]}}","e":"{{rsa["e"]}}"}
            ]}
            """);
        var source = CreateSource();

        var snapshot = await source.GetAsync(CancellationToken.None);

        Assert.Equal(["rsa-1"], snapshot!.KeyIds.ToArray());
        Assert.DoesNotContain(snapshot.Keys, k => k is SymmetricSecurityKey);
    }

    [Fact]
    public async Task GetAsync_JwksWithoutUsableKeys_KeepsThePreviousKeys()
    {
        var source = CreateSource(refreshMinutes: 60);
        var fetched = await source.GetAsync(CancellationToken.None);
        _provider.PublishJwks("""{"keys":[]}""");
        _time.Advance(TimeSpan.FromMinutes(61));

        await source.GetAsync(CancellationToken.None);
        await source.PendingRefresh;

        Assert.Same(fetched, source.Current);
        Assert.Contains(_logs.Entries, e => e.Id.Id == 206);
    }

    [Fact]
    public async Task GetAsync_HttpAddressWhenHttpsRequired_FailsWithoutARequest()
    {
        var issuer = new JwtIssuerOptions { Authority = _provider.Authority };
        var source = new SigningKeySource(
            issuer,
            new AuthenticationOptions(),
            new MetadataDocumentRetriever(TestHttpClients.Factory, requireHttps: true),
            _time,
            _logs.For<SigningKeySource>());

        var snapshot = await source.GetAsync(CancellationToken.None);

        Assert.Null(snapshot);
        Assert.Equal(0, _provider.DiscoveryRequests);
        Assert.Contains(_logs.Entries, e => e.Id.Id == 203 && e.Message.Contains("not an https URL", StringComparison.Ordinal));
    }

    private SigningKeySource CreateSource(int refreshMinutes = 60, int minimumSeconds = 30, int unknownKeySeconds = 5, IDocumentRetriever? documents = null)
    {
        var issuer = new JwtIssuerOptions { Authority = _provider.Authority };
        issuer.Audiences.Add(TestTokens.Audience);
        var options = new AuthenticationOptions
        {
            RequireHttpsMetadata = false,
            MetadataRefreshMinutes = refreshMinutes,
            MinimumMetadataRefreshSeconds = minimumSeconds,
            UnknownKeyRefreshSeconds = unknownKeySeconds,
        };
        return new SigningKeySource(
            issuer,
            options,
            documents ?? new MetadataDocumentRetriever(TestHttpClients.Factory, requireHttps: false),
            _time,
            _logs.For<SigningKeySource>());
    }
}
