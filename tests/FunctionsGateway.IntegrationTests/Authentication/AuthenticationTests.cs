using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Azure.Data.Tables;
using FunctionsGateway.Authentication;
using FunctionsGateway.Core.Tests.Authentication;
using FunctionsGateway.DevHost.Samples;
using FunctionsGateway.IntegrationTests.Infrastructure;

namespace FunctionsGateway.IntegrationTests.Authentication;

/// <summary>
/// Authentication through the running gateway: a real OIDC provider on loopback, tokens minted here,
/// API keys stored hashed in Azurite, and an echo backend that shows what the gateway sent on.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class AuthenticationTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string BillingAudience = "api://billing";

    // Short, to keep the wait of a token with an unknown kid short in these tests.
    private const int UnknownKeyRefreshSeconds = 2;

    // The gateway under test runs on real time, so tokens are minted on it too.
    private static DateTimeOffset Now => TimeProvider.System.GetUtcNow();

    private TestOidcProvider _provider = null!;
    private TestSigningKey _key = null!;
    private EchoBackend _backend = null!;
    private TableClient _apiKeys = null!;
    private GatewayUnderTest _gateway = null!;

    public async Task InitializeAsync()
    {
        _provider = await TestOidcProvider.StartAsync();
        _key = TestSigningKey.Rsa("key-1");
        _provider.Publish(_key);
        _backend = await EchoBackend.StartAsync("orders", "http://127.0.0.1:0");
        var tables = await TestTables.CreateAsync(azurite.ConnectionString);
        _apiKeys = new TableServiceClient(azurite.ConnectionString).GetTableClient("ApiKeys" + Guid.NewGuid().ToString("N")[..12]);
        await _apiKeys.CreateIfNotExistsAsync();
        var backend = _backend.Url.ToString();
        await tables.AddRouteAsync("jwt", ("Path", "/jwt/{**rest}"), ("Backend", backend), ("Auth", "jwt"), ("Scopes", "orders.read"));
        await tables.AddRouteAsync("admin", ("Path", "/admin-area/{**rest}"), ("Backend", backend), ("Auth", "jwt"), ("Scopes", "orders.delete"));
        await tables.AddRouteAsync("key", ("Path", "/key/{**rest}"), ("Backend", backend), ("Auth", "apikey"));
        await tables.AddRouteAsync("either", ("Path", "/either/{**rest}"), ("Backend", backend), ("Auth", "jwt|apikey"));
        await tables.AddRouteAsync("open", ("Path", "/open/{**rest}"), ("Backend", backend));
        await tables.AddRouteAsync("typo", ("Path", "/typo"), ("Backend", backend), ("Auth", "jwt|basic"));
        await tables.AddRouteAsync("billing", ("Path", "/billing/{**rest}"), ("Backend", backend), ("Auth", "jwt"), ("Audiences", BillingAudience));
        await tables.AddRouteAsync("badaudience", ("Path", "/bad-audience"), ("Backend", backend), ("Auth", "jwt"), ("Audiences", "api://unheard-of"));
        _gateway = await GatewayUnderTest.StartAsync(azurite.ConnectionString, tables, new Dictionary<string, string?>
        {
            ["Gateway:Tables:ApiKeys"] = _apiKeys.Name,
            ["Gateway:Authentication:RequireHttpsMetadata"] = "false",
            ["Gateway:Authentication:Issuers:0:Authority"] = _provider.Authority,
            ["Gateway:Authentication:Issuers:0:Audiences:0"] = TestTokens.Audience,
            ["Gateway:Authentication:Issuers:0:Audiences:1"] = BillingAudience,
            ["Gateway:Authentication:UnknownKeyRefreshSeconds"] = UnknownKeyRefreshSeconds.ToString(CultureInfo.InvariantCulture),
        });
        await _gateway.WaitForRoutesAsync(6);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _backend.DisposeAsync();
        await _provider.DisposeAsync();
        _key.Dispose();
    }

    [Fact]
    public async Task ValidToken_ReachesTheBackendWithTheCallersIdentity()
    {
        var token = TestTokens.Sign(_key, TestTokens.Payload(_provider.Issuer, Now));

        var reply = await EchoReply.ReadAsync(await SendAsync("/jwt/orders", bearer: token));

        Assert.Equal("client-app", reply.Headers[IdentityHeaders.Consumer]);
        Assert.Equal("user-42", reply.Headers[IdentityHeaders.Subject]);
        Assert.Equal("jwt", reply.Headers[IdentityHeaders.AuthMethod]);
        Assert.Equal("Bearer " + token, reply.Headers["Authorization"]);
    }

    [Fact]
    public async Task NoToken_Is401WithABearerChallenge()
    {
        using var response = await SendAsync("/jwt/orders");

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Contains(response.Headers.WwwAuthenticate, c => c.Scheme == "Bearer" && c.Parameter!.Contains("realm=\"gateway\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ExpiredToken_Is401InvalidToken()
    {
        var payload = TestTokens.Payload(_provider.Issuer, Now.AddHours(-2));

        using var response = await SendAsync("/jwt/orders", bearer: TestTokens.Sign(_key, payload));

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "invalid_token");
        Assert.Contains(response.Headers.WwwAuthenticate, c => c.Parameter!.Contains("error=\"invalid_token\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UnsignedToken_IsRefused()
    {
        var token = TestTokens.Unsigned(TestTokens.Payload(_provider.Issuer, Now));

        using var response = await SendAsync("/jwt/orders", bearer: token);

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "invalid_token");
    }

    [Fact]
    public async Task MissingScope_Is403InsufficientScope()
    {
        var token = TestTokens.Sign(_key, TestTokens.Payload(_provider.Issuer, Now));

        using var response = await SendAsync("/admin-area/orders/1", bearer: token);

        await AssertProblemAsync(response, HttpStatusCode.Forbidden, "insufficient_scope");
        Assert.Contains(response.Headers.WwwAuthenticate, c => c.Parameter!.Contains("error=\"insufficient_scope\"", StringComparison.Ordinal)
                                                             && c.Parameter.Contains("orders.delete", StringComparison.Ordinal));
    }

    [Fact]
    public async Task KeyRollover_TheFirstTokenSignedWithTheNewKeySucceeds()
    {
        var first = TestTokens.Sign(_key, TestTokens.Payload(_provider.Issuer, Now));
        Assert.Equal(HttpStatusCode.OK, (await SendAsync("/jwt/orders", bearer: first)).StatusCode);
        using var rolled = TestSigningKey.Rsa("key-2");
        _provider.Publish(_key, rolled);

        using var response = await SendAsync("/jwt/orders", bearer: TestTokens.Sign(rolled, TestTokens.Payload(_provider.Issuer, Now)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task KeyRolloverRightAfterAnAttackersInventedKid_TheFirstGenuineTokenWaitsForTheNextFetchAndSucceeds()
    {
        Assert.Equal(HttpStatusCode.OK, (await SendAsync("/jwt/orders", bearer: TestTokens.Sign(_key, TestTokens.Payload(_provider.Issuer, Now)))).StatusCode);
        var fetchesBefore = _provider.JwksRequests;
        using var attackerKey = TestSigningKey.Rsa("attacker");
        var invented = TestTokens.Sign(attackerKey, TestTokens.Payload(_provider.Issuer, Now), header => header["kid"] = "invented-" + Guid.NewGuid().ToString("N"));
        using var attack = await SendAsync("/jwt/orders", bearer: invented);
        using var rolled = TestSigningKey.Rsa("key-2");
        _provider.Publish(_key, rolled);
        var waited = Stopwatch.StartNew();

        using var genuine = await SendAsync("/jwt/orders", bearer: TestTokens.Sign(rolled, TestTokens.Payload(_provider.Issuer, Now)));
        waited.Stop();
        var fetchesAfterRollover = _provider.JwksRequests;
        var repeated = Stopwatch.StartNew();
        using var attackAgain = await SendAsync("/jwt/orders", bearer: invented);
        repeated.Stop();

        var problem = await AssertProblemAsync(attack, HttpStatusCode.Unauthorized, "invalid_token");
        Assert.Equal("The token signing key is not known", problem.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.OK, genuine.StatusCode);
        Assert.True(waited.Elapsed < TimeSpan.FromSeconds(UnknownKeyRefreshSeconds + 3), $"The genuine token waited {waited.Elapsed}");
        Assert.Equal(fetchesBefore + 2, fetchesAfterRollover);
        await AssertProblemAsync(attackAgain, HttpStatusCode.Unauthorized, "invalid_token");
        Assert.Equal(fetchesAfterRollover, _provider.JwksRequests);
        Assert.True(repeated.Elapsed < TimeSpan.FromSeconds(UnknownKeyRefreshSeconds), $"The remembered kid took {repeated.Elapsed}");
    }

    [Fact]
    public async Task FloodOfInventedKids_CostsAtMostOneKeyFetchPerInterval()
    {
        Assert.Equal(HttpStatusCode.OK, (await SendAsync("/jwt/orders", bearer: TestTokens.Sign(_key, TestTokens.Payload(_provider.Issuer, Now)))).StatusCode);
        var fetchesBefore = _provider.JwksRequests;
        using var attackerKey = TestSigningKey.Rsa("attacker");
        var elapsed = Stopwatch.StartNew();

        var responses = await Task.WhenAll(Enumerable.Range(0, 40).Select(async _ =>
        {
            var token = TestTokens.Sign(attackerKey, TestTokens.Payload(_provider.Issuer, Now), header => header["kid"] = Guid.NewGuid().ToString("N"));
            using var response = await SendAsync("/jwt/orders", bearer: token);
            return response.StatusCode;
        }));
        elapsed.Stop();

        Assert.All(responses, status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        var allowed = 1 + (int)(elapsed.Elapsed.TotalSeconds / UnknownKeyRefreshSeconds) + 1;
        Assert.InRange(_provider.JwksRequests - fetchesBefore, 1, allowed);
    }

    [Fact]
    public async Task AudiencesColumn_AcceptsOnlyTokensForTheRoutesApi_WithoutNamingIt()
    {
        var ordersToken = TestTokens.Sign(_key, TestTokens.Payload(_provider.Issuer, Now));
        var billingPayload = TestTokens.Payload(_provider.Issuer, Now);
        billingPayload["aud"] = BillingAudience;
        var billingToken = TestTokens.Sign(_key, billingPayload);

        using var ordersTokenOnBilling = await SendAsync("/billing/invoices", bearer: ordersToken);
        using var billingTokenOnBilling = await SendAsync("/billing/invoices", bearer: billingToken);
        using var ordersTokenOnOrders = await SendAsync("/jwt/orders", bearer: ordersToken);

        var problem = await AssertProblemAsync(ordersTokenOnBilling, HttpStatusCode.Unauthorized, "invalid_token");
        Assert.Equal("The token audience is not accepted", problem.GetProperty("detail").GetString());
        Assert.DoesNotContain("api://", ordersTokenOnBilling.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, billingTokenOnBilling.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ordersTokenOnOrders.StatusCode);
    }

    [Fact]
    public async Task AudienceNoIssuerAccepts_IsReported_AndTheRouteIsNotServed()
    {
        var problem = (await _gateway.StatusAsync()).GetProperty("problems").EnumerateArray().Single(p => p.GetProperty("rowKey").GetString() == "badaudience");

        Assert.Equal("Audiences", problem.GetProperty("column").GetString());
        Assert.Contains("'api://unheard-of' is not among the audiences the configured issuers accept", problem.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await _gateway.Client.GetAsync("/bad-audience")).StatusCode);
    }

    [Fact]
    public async Task ApiKey_StoredHashed_ReachesTheBackendAsItsConsumer_AndIsNotForwarded()
    {
        var key = await CreateKeyAsync("contoso-billing", enabled: true);

        var reply = await EchoReply.ReadAsync(await SendAsync("/key/invoices", apiKey: key));

        Assert.Equal("contoso-billing", reply.Headers[IdentityHeaders.Consumer]);
        Assert.Equal("apikey", reply.Headers[IdentityHeaders.AuthMethod]);
        Assert.False(reply.Headers.ContainsKey("X-Api-Key"));
        var stored = await _apiKeys.GetEntityAsync<TableEntity>(ApiKeyHasher.PartitionKey(ApiKeyHasher.Hash(key)), ApiKeyHasher.Hash(key));
        Assert.DoesNotContain(((IDictionary<string, object>)stored.Value).Values, v => v is string s && s.Contains(key, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ApiKey_UnknownAndDisabled_GetTheSameAnswer()
    {
        var disabled = await CreateKeyAsync("contoso-old", enabled: false);

        using var unknownResponse = await SendAsync("/key/invoices", apiKey: ApiKeyFactory.Generate());
        using var disabledResponse = await SendAsync("/key/invoices", apiKey: disabled);

        var unknownBody = await AssertProblemAsync(unknownResponse, HttpStatusCode.Unauthorized, "invalid_key");
        var disabledBody = await AssertProblemAsync(disabledResponse, HttpStatusCode.Unauthorized, "invalid_key");
        Assert.Equal(unknownBody.GetProperty("detail").GetString(), disabledBody.GetProperty("detail").GetString());
        Assert.Equal(unknownResponse.Headers.WwwAuthenticate.ToString(), disabledResponse.Headers.WwwAuthenticate.ToString());
        Assert.Contains(unknownResponse.Headers.WwwAuthenticate, c => c.Scheme == "ApiKey");
    }

    [Fact]
    public async Task JwtOrApiKey_AcceptsEither()
    {
        var key = await CreateKeyAsync("partner", enabled: true);
        var token = TestTokens.Sign(_key, TestTokens.Payload(_provider.Issuer, Now));

        var byKey = await EchoReply.ReadAsync(await SendAsync("/either/x", apiKey: key));
        var byToken = await EchoReply.ReadAsync(await SendAsync("/either/x", bearer: token));

        Assert.Equal("apikey", byKey.Headers[IdentityHeaders.AuthMethod]);
        Assert.Equal("jwt", byToken.Headers[IdentityHeaders.AuthMethod]);
    }

    [Fact]
    public async Task SpoofedGatewayHeaders_NeverReachTheBackend()
    {
        var key = await CreateKeyAsync("honest", enabled: true);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/key/x");
        request.Headers.Add("X-Api-Key", key);
        request.Headers.Add("X-Gateway-Consumer", "admin");
        request.Headers.Add("x-gateway-roles", "Everything");
        using var anonymous = new HttpRequestMessage(HttpMethod.Get, "/open/x");
        anonymous.Headers.Add("X-Gateway-Consumer", "admin");

        var authenticated = await EchoReply.ReadAsync(await _gateway.Client.SendAsync(request));
        var open = await EchoReply.ReadAsync(await _gateway.Client.SendAsync(anonymous));

        Assert.Equal("honest", authenticated.Headers["X-Gateway-Consumer"]);
        Assert.False(authenticated.Headers.ContainsKey("X-Gateway-Roles"));
        Assert.False(open.Headers.ContainsKey("X-Gateway-Consumer"));
        Assert.Equal("anonymous", open.Headers[IdentityHeaders.AuthMethod]);
    }

    [Fact]
    public async Task AccessLog_NamesTheConsumer_AndNeverHoldsTheCredential()
    {
        var key = await CreateKeyAsync("audited", enabled: true);
        var token = TestTokens.Sign(_key, TestTokens.Payload(_provider.Issuer, Now));

        await SendAsync("/key/x", apiKey: key);
        await SendAsync("/jwt/orders", bearer: token);
        var byKey = await _gateway.Logs.WaitForAccessLogAsync("consumer audited");
        await _gateway.Logs.WaitForAccessLogAsync("consumer client-app subject user-42 via jwt");

        Assert.EndsWith("via apikey", byKey, StringComparison.Ordinal);
        Assert.DoesNotContain(_gateway.Logs.Entries, e => e.Message.Contains(key, StringComparison.Ordinal) || e.Message.Contains(token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task InvalidAuthColumn_IsReported_AndTheRouteIsNotServed()
    {
        var problem = (await _gateway.StatusAsync()).GetProperty("problems").EnumerateArray().Single(p => p.GetProperty("rowKey").GetString() == "typo");

        Assert.Equal("Auth", problem.GetProperty("column").GetString());
        Assert.Contains("'jwt|basic' is not an auth method", problem.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await _gateway.Client.GetAsync("/typo")).StatusCode);
    }

    private async Task<string> CreateKeyAsync(string consumer, bool enabled)
    {
        Assert.True(ApiKeyFactory.TryCreate(consumer, "gold", null, null, "test key", Now, out var created, out var error), error);
        created!.Entity["Enabled"] = enabled;
        await _apiKeys.AddEntityAsync(created.Entity);
        return created.Plaintext;
    }

    private async Task<HttpResponseMessage> SendAsync(string path, string? bearer = null, string? apiKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        if (apiKey is not null)
        {
            request.Headers.Add("X-Api-Key", apiKey);
        }

        return await _gateway.Client.SendAsync(request);
    }

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status} {code}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal(code, problem.GetProperty("code").GetString());
        return problem;
    }
}
