using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using FunctionsGateway.Core.Tests.Authentication;
using FunctionsGateway.DevHost.Samples;
using FunctionsGateway.IntegrationTests.Infrastructure;

namespace FunctionsGateway.IntegrationTests.Authentication;

/// <summary>
/// A flood of forged tokens through the running gateway, on loopback, with a real OIDC provider: after the
/// documented number of failures the address gets 429 without signature checks, while a token that passed before
/// keeps being served.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TokenFloodTests(AzuriteFixture azurite) : IAsyncLifetime
{
    // The documented default of Gateway:Authentication:MaxFailedAuthPerClient; the flood runs on the defaults.
    private const int MaxFailedAuthPerClient = 20;
    private const int FloodRequests = 100;
    private const int FloodConcurrency = 4;

    private TestOidcProvider _provider = null!;
    private TestSigningKey _key = null!;
    private TestSigningKey _forger = null!;
    private EchoBackend _backend = null!;
    private GatewayUnderTest _gateway = null!;

    public async Task InitializeAsync()
    {
        _provider = await TestOidcProvider.StartAsync();
        _key = TestSigningKey.Rsa("key-1");

        // The published key's id with other key material: every forged token reaches the signature check and fails it.
        _forger = TestSigningKey.Rsa("key-1");
        _provider.Publish(_key);
        _backend = await EchoBackend.StartAsync("orders", "http://127.0.0.1:0");
        var tables = await TestTables.CreateAsync(azurite.ConnectionString);
        await tables.AddRouteAsync("jwt", ("Path", "/jwt/{**rest}"), ("Backend", _backend.Url.ToString()), ("Auth", "jwt"));
        _gateway = await GatewayUnderTest.StartAsync(azurite.ConnectionString, tables, new Dictionary<string, string?>
        {
            ["Gateway:Authentication:RequireHttpsMetadata"] = "false",
            ["Gateway:Authentication:Issuers:0:Authority"] = _provider.Authority,
            ["Gateway:Authentication:Issuers:0:Audiences:0"] = TestTokens.Audience,
        });
        await _gateway.WaitForRoutesAsync(1);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _backend.DisposeAsync();
        await _provider.DisposeAsync();
        _key.Dispose();
        _forger.Dispose();
    }

    [Fact]
    public async Task ForgedTokenFlood_Gets401UpToTheLimitThen429WithRetryAfter_WhileAValidatedTokenIsServedThroughout()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var valid = TestTokens.Sign(_key, TestTokens.Payload(_provider.Issuer, Now));
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(valid, deadline.Token)).Status);

        var flood = FloodAsync(deadline.Token);
        var steady = new List<(HttpStatusCode Status, string? Code, int? RetryAfter)>();
        while (!flood.IsCompleted || steady.Count < 20)
        {
            steady.Add(await SendAsync(valid, deadline.Token));
        }

        var answers = await flood;
        var rejected = answers.Count(a => a.Status == HttpStatusCode.Unauthorized);
        Assert.InRange(rejected, MaxFailedAuthPerClient, MaxFailedAuthPerClient + FloodConcurrency);
        Assert.All(answers.Where(a => a.Status == HttpStatusCode.Unauthorized), a => Assert.Equal("invalid_token", a.Code));
        Assert.All(answers.Where(a => a.Status != HttpStatusCode.Unauthorized), a =>
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, a.Status);
            Assert.Equal("too_many_failed_attempts", a.Code);
            Assert.InRange(a.RetryAfter ?? 0, 1, 60);
        });
        // Counted, not ordered: answers are collected as they complete.
        Assert.True(answers.Count(a => a.Status == HttpStatusCode.TooManyRequests) >= answers.Count - MaxFailedAuthPerClient - FloodConcurrency);
        Assert.All(steady, a => Assert.Equal(HttpStatusCode.OK, a.Status));
    }

    private static DateTimeOffset Now => TimeProvider.System.GetUtcNow();

    private async Task<List<(HttpStatusCode Status, string? Code, int? RetryAfter)>> FloodAsync(CancellationToken deadline)
    {
        var answers = new List<(HttpStatusCode, string?, int?)>();
        var remaining = FloodRequests;
        var workers = Enumerable.Range(0, FloodConcurrency).Select(async _ =>
        {
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                var payload = TestTokens.Payload(_provider.Issuer, Now);
                payload["sub"] = Guid.NewGuid().ToString("N");
                var answer = await SendAsync(TestTokens.Sign(_forger, payload), deadline);
                lock (answers)
                {
                    answers.Add(answer);
                }
            }
        });
        await Task.WhenAll(workers);
        return answers;
    }

    private async Task<(HttpStatusCode Status, string? Code, int? RetryAfter)> SendAsync(string token, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/jwt/orders");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await _gateway.Client.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var code = response.Content.Headers.ContentType?.MediaType == "application/problem+json"
            ? JsonDocument.Parse(body).RootElement.GetProperty("code").GetString()
            : null;
        return (response.StatusCode, code, response.Headers.RetryAfter?.Delta is { } delta ? (int)delta.TotalSeconds : null);
    }
}
