using Azure.Data.Tables;
using FunctionsGateway.Authentication;
using FunctionsGateway.Core.Tests.Authentication;
using FunctionsGateway.DevHost.Samples;
using FunctionsGateway.IntegrationTests.Infrastructure;

namespace FunctionsGateway.IntegrationTests.Authentication;

/// <summary>
/// Attacks on what a backend receives: credentials the gateway did not check, and headers that a backend
/// would read as the gateway's own. Over HTTP through the running gateway, with an echo backend showing
/// exactly which headers arrived.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ForwardedCredentialTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string Basic = "Basic YWRtaW46YWRtaW4=";

    private static DateTimeOffset Now => TimeProvider.System.GetUtcNow();

    private TestOidcProvider _provider = null!;
    private TestSigningKey _key = null!;
    private EchoBackend _backend = null!;
    private TableClient _apiKeys = null!;
    private GatewayUnderTest _gateway = null!;
    private string _apiKey = null!;

    public async Task InitializeAsync()
    {
        _provider = await TestOidcProvider.StartAsync();
        _key = TestSigningKey.Rsa("key-1");
        _provider.Publish(_key);
        _backend = await EchoBackend.StartAsync("orders", "http://127.0.0.1:0");
        var tables = await TestTables.CreateAsync(azurite.ConnectionString);
        _apiKeys = new TableServiceClient(azurite.ConnectionString).GetTableClient("ApiKeys" + Guid.NewGuid().ToString("N")[..12]);
        await _apiKeys.CreateIfNotExistsAsync();
        Assert.True(ApiKeyFactory.TryCreate("partner", null, null, null, null, Now, out var created, out var error), error);
        await _apiKeys.AddEntityAsync(created!.Entity);
        _apiKey = created.Plaintext;
        var backend = _backend.Url.ToString();
        await tables.AddRouteAsync("either", ("Path", "/either/{**rest}"), ("Backend", backend), ("Auth", "jwt|apikey"));
        await tables.AddRouteAsync("key", ("Path", "/key/{**rest}"), ("Backend", backend), ("Auth", "apikey"));
        await tables.AddRouteAsync("open", ("Path", "/open/{**rest}"), ("Backend", backend));
        await tables.AddRouteAsync("pass", ("Path", "/pass/{**rest}"), ("Backend", backend), ("ForwardAuthorization", true));
        _gateway = await GatewayUnderTest.StartAsync(azurite.ConnectionString, tables, new Dictionary<string, string?>
        {
            ["Gateway:Tables:ApiKeys"] = _apiKeys.Name,
            ["Gateway:Authentication:RequireHttpsMetadata"] = "false",
            ["Gateway:Authentication:Issuers:0:Authority"] = _provider.Authority,
            ["Gateway:Authentication:Issuers:0:Audiences:0"] = TestTokens.Audience,
        });
        await _gateway.WaitForRoutesAsync(4);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _backend.DisposeAsync();
        await _provider.DisposeAsync();
        _key.Dispose();
    }

    [Fact]
    public async Task JwtOrApiKey_ApiKeyCallerAddingBasicAuthorization_BackendGetsNoAuthorization()
    {
        using var request = Get("/either/x", authorization: Basic, apiKey: _apiKey);

        var reply = await EchoReply.ReadAsync(await _gateway.Client.SendAsync(request));

        Assert.Equal("apikey", reply.Headers[IdentityHeaders.AuthMethod]);
        Assert.False(reply.Headers.ContainsKey("Authorization"));
    }

    [Fact]
    public async Task JwtOrApiKey_ApiKeyCallerAddingATabSeparatedBearer_BackendGetsNoAuthorization()
    {
        // A lenient backend would read "Bearer<TAB>token" as a bearer token the gateway never validated
        // (this one is validly signed, so the backend could not tell).
        var token = TestTokens.Sign(_key, TestTokens.Payload(_provider.Issuer, Now));
        using var request = Get("/either/x", authorization: "Bearer\t" + token, apiKey: _apiKey);

        var reply = await EchoReply.ReadAsync(await _gateway.Client.SendAsync(request));

        Assert.Equal("apikey", reply.Headers[IdentityHeaders.AuthMethod]);
        Assert.False(reply.Headers.ContainsKey("Authorization"));
    }

    [Fact]
    public async Task JwtOrApiKey_TokenCaller_BackendGetsTheTokenTheGatewayValidated()
    {
        var token = TestTokens.Sign(_key, TestTokens.Payload(_provider.Issuer, Now));
        using var request = Get("/either/x", authorization: "Bearer " + token);

        var reply = await EchoReply.ReadAsync(await _gateway.Client.SendAsync(request));

        Assert.Equal("jwt", reply.Headers[IdentityHeaders.AuthMethod]);
        Assert.Equal("Bearer " + token, reply.Headers["Authorization"]);
    }

    [Fact]
    public async Task ApiKeyRoute_AuthorizationIsNotForwardedByDefault()
    {
        using var request = Get("/key/x", authorization: Basic, apiKey: _apiKey);

        var reply = await EchoReply.ReadAsync(await _gateway.Client.SendAsync(request));

        Assert.False(reply.Headers.ContainsKey("Authorization"));
    }

    [Fact]
    public async Task AnonymousRouteWithForwardAuthorization_PassesTheHeaderThroughUnchecked()
    {
        using var request = Get("/pass/x", authorization: Basic);

        var reply = await EchoReply.ReadAsync(await _gateway.Client.SendAsync(request));

        Assert.Equal(Basic, reply.Headers["Authorization"]);
        Assert.Equal("anonymous", reply.Headers[IdentityHeaders.AuthMethod]);
    }

    [Fact]
    public async Task GatewayHeadersSpeltWithUnderscores_NeverReachTheBackend()
    {
        using var request = Get("/key/x", apiKey: _apiKey);
        request.Headers.TryAddWithoutValidation("X_Gateway_Consumer", "admin");
        request.Headers.TryAddWithoutValidation("x_gateway-subject", "root");
        request.Headers.TryAddWithoutValidation("X_GATEWAY_PLAN", "platinum");
        request.Headers.TryAddWithoutValidation("X_Request_Id", "passes");

        var reply = await EchoReply.ReadAsync(await _gateway.Client.SendAsync(request));

        // Underscore names do reach backends in general; only those that read as the gateway's own are removed.
        Assert.Equal("passes", reply.Headers["X_Request_Id"]);
        Assert.False(reply.Headers.ContainsKey("X_Gateway_Consumer"));
        Assert.False(reply.Headers.ContainsKey("x_gateway-subject"));
        Assert.False(reply.Headers.ContainsKey("X_GATEWAY_PLAN"));
        Assert.Equal("partner", reply.Headers[IdentityHeaders.Consumer]);
    }

    [Fact]
    public async Task ForwardingHeadersSpeltWithUnderscores_NeverReachTheBackend_SoTheClientCannotForgeItsAddress()
    {
        using var request = Get("/open/x");
        request.Headers.TryAddWithoutValidation("X_Forwarded_For", "10.0.0.1");
        request.Headers.TryAddWithoutValidation("x_real_ip", "10.0.0.1");

        var reply = await EchoReply.ReadAsync(await _gateway.Client.SendAsync(request));

        Assert.False(reply.Headers.ContainsKey("X_Forwarded_For"));
        Assert.False(reply.Headers.ContainsKey("x_real_ip"));
        Assert.Equal("127.0.0.1", reply.Headers["X-Forwarded-For"]);
    }

    [Fact]
    public async Task GatewayHeaderSpeltWithUnderscores_OnAnAnonymousRoute_NeverReachesTheBackend()
    {
        using var request = Get("/open/x");
        request.Headers.TryAddWithoutValidation("X_Gateway_Consumer", "admin");

        var reply = await EchoReply.ReadAsync(await _gateway.Client.SendAsync(request));

        Assert.False(reply.Headers.ContainsKey("X_Gateway_Consumer"));
        Assert.False(reply.Headers.ContainsKey(IdentityHeaders.Consumer));
    }

    [Fact]
    public async Task ApiKeySpeltWithUnderscores_NeverReachesTheBackend()
    {
        // The gateway reads only X-Api-Key; a CGI-style backend would read X_Api_Key as the same header.
        using var request = Get("/open/x");
        request.Headers.TryAddWithoutValidation("X_Api_Key", _apiKey);

        var reply = await EchoReply.ReadAsync(await _gateway.Client.SendAsync(request));

        Assert.False(reply.Headers.ContainsKey("X_Api_Key"));
        Assert.DoesNotContain(reply.Headers.Values, v => v.Contains(_apiKey, StringComparison.Ordinal));
    }

    private static HttpRequestMessage Get(string path, string? authorization = null, string? apiKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (authorization is not null)
        {
            Assert.True(request.Headers.TryAddWithoutValidation("Authorization", authorization));
        }

        if (apiKey is not null)
        {
            request.Headers.Add("X-Api-Key", apiKey);
        }

        return request;
    }
}
