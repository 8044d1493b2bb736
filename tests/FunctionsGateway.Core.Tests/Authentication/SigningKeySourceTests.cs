using FunctionsGateway.Authentication;
using Microsoft.Extensions.Time.Testing;
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
    public async Task RefreshForUnknownKeyAsync_WithinMinimumIntervalOfTheLastOne_ReturnsCurrentWithoutFetching()
    {
        var source = CreateSource(minimumSeconds: 30);
        await source.GetAsync(CancellationToken.None);
        var refreshed = await source.RefreshForUnknownKeyAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(29));

        var snapshot = await source.RefreshForUnknownKeyAsync(CancellationToken.None);

        Assert.Same(refreshed, snapshot);
        Assert.Equal(2, _provider.JwksRequests);
    }

    [Fact]
    public async Task RefreshForUnknownKeyAsync_RightAfterARoutineFetch_FetchesSoARolloverNeverFailsItsFirstToken()
    {
        var source = CreateSource(minimumSeconds: 30);
        await source.GetAsync(CancellationToken.None);
        _provider.Publish(TestKeys.Rsa2);
        _time.Advance(TimeSpan.FromSeconds(1));

        var snapshot = await source.RefreshForUnknownKeyAsync(CancellationToken.None);

        Assert.Equal(["rsa-2"], snapshot!.KeyIds.ToArray());
    }

    [Fact]
    public async Task RefreshForUnknownKeyAsync_AfterMinimumInterval_FetchesTheNewKeys()
    {
        var source = CreateSource(minimumSeconds: 30);
        await source.GetAsync(CancellationToken.None);
        _provider.Publish(TestKeys.Rsa2);
        _time.Advance(TimeSpan.FromSeconds(30));

        var snapshot = await source.RefreshForUnknownKeyAsync(CancellationToken.None);

        Assert.Equal(["rsa-2"], snapshot!.KeyIds.ToArray());
    }

    [Fact]
    public async Task RefreshForUnknownKeyAsync_ManyConcurrentCallers_ShareOneFetchAndAllSeeTheNewKeys()
    {
        var source = CreateSource(minimumSeconds: 30);
        await source.GetAsync(CancellationToken.None);
        _provider.Publish(TestKeys.Rsa1, TestKeys.Rsa2);
        _time.Advance(TimeSpan.FromMinutes(1));

        var snapshots = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => source.RefreshForUnknownKeyAsync(CancellationToken.None).AsTask()));

        Assert.Equal(2, _provider.JwksRequests);
        Assert.All(snapshots, snapshot => Assert.Contains("rsa-2", (IReadOnlySet<string>)snapshot!.KeyIds));
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
        var source = CreateSource(minimumSeconds: 30);
        var fetched = await source.GetAsync(CancellationToken.None);
        _provider.PublishJwks("""{"keys":[]}""");
        _time.Advance(TimeSpan.FromSeconds(30));

        var snapshot = await source.RefreshForUnknownKeyAsync(CancellationToken.None);

        Assert.Same(fetched, snapshot);
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

    private SigningKeySource CreateSource(int refreshMinutes = 60, int minimumSeconds = 30)
    {
        var issuer = new JwtIssuerOptions { Authority = _provider.Authority };
        issuer.Audiences.Add(TestTokens.Audience);
        var options = new AuthenticationOptions
        {
            RequireHttpsMetadata = false,
            MetadataRefreshMinutes = refreshMinutes,
            MinimumMetadataRefreshSeconds = minimumSeconds,
        };
        return new SigningKeySource(
            issuer,
            options,
            new MetadataDocumentRetriever(TestHttpClients.Factory, requireHttps: false),
            _time,
            _logs.For<SigningKeySource>());
    }
}
