using System.Net;
using FunctionsGateway.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace FunctionsGateway.Core.Tests.Authentication;

public sealed class GatewayAuthenticatorTests : IAsyncLifetime
{
    private readonly IPAddress _client = IPAddress.Parse("203.0.113.7");
    private FailedAuthThrottle _throttle = null!;
    private readonly FakeTimeProvider _time = new(TimeProvider.System.GetUtcNow());
    private readonly FakeApiKeyLookup _storage = new();
    private readonly CapturingLogger _logs = new();
    private TestOidcProvider _provider = null!;
    private GatewayAuthenticator _authenticator = null!;
    private ApiKeyAuthenticator _apiKeys = null!;
    private string _key = null!;

    public async Task InitializeAsync()
    {
        _provider = await TestOidcProvider.StartAsync();
        _provider.Publish(TestKeys.Rsa1);
        var issuer = new JwtIssuerOptions { Authority = _provider.Authority };
        issuer.Audiences.Add(TestTokens.Audience);
        issuer.Audiences.Add("api://billing");
        var options = new AuthenticationOptions { RequireHttpsMetadata = false, MaxFailedAuthPerClient = 3, FailedAuthWindowSeconds = 60 };
        options.Issuers.Add(issuer);
        var wrapped = Options.Create(options);
        _apiKeys = new ApiKeyAuthenticator(_storage, wrapped, _time, _logs.For<ApiKeyAuthenticator>());
        var jwt = new JwtValidator(wrapped, new MetadataDocumentRetriever(TestHttpClients.Factory, requireHttps: false), _time, _logs);
        _throttle = new FailedAuthThrottle(wrapped, _time, _logs.For<FailedAuthThrottle>());
        _authenticator = new GatewayAuthenticator(jwt, _apiKeys, _throttle, wrapped, _logs.For<GatewayAuthenticator>());
        _key = ApiKeyFactory.Generate();
        _storage.Add(_key, "key-consumer", scopes: "orders.read");
    }

    public async Task DisposeAsync() => await _provider.DisposeAsync();

    [Fact]
    public async Task AuthenticateAsync_AnonymousRoute_SucceedsAnonymouslyWithoutLookingAtHeaders()
    {
        var context = Request(authorization: ["Bearer garbage"], apiKey: "garbage");

        var result = await _authenticator.AuthenticateAsync(context, AuthPolicy.Anonymous, CancellationToken.None);

        Assert.Equal(AuthOutcome.Succeeded, result.Outcome);
        Assert.Same(GatewayIdentity.Anonymous, result.Identity);
    }

    [Fact]
    public async Task AuthenticateAsync_JwtRouteWithoutCredentials_IsNoCredentials()
    {
        var result = await _authenticator.AuthenticateAsync(Request(), Policy("jwt"), CancellationToken.None);

        Assert.Equal(AuthOutcome.NoCredentials, result.Outcome);
        Assert.Equal(401, result.StatusCode);
        Assert.Null(result.ErrorCode);
    }

    [Fact]
    public async Task AuthenticateAsync_JwtRouteWithBasicCredentials_IsNoCredentials()
    {
        var result = await _authenticator.AuthenticateAsync(Request(authorization: ["Basic dXNlcjpwYXNz"]), Policy("jwt"), CancellationToken.None);

        Assert.Equal(AuthOutcome.NoCredentials, result.Outcome);
    }

    [Theory]
    [InlineData("Bearer ")]
    [InlineData("bearer ")]
    [InlineData("BEARER  ")]
    public async Task AuthenticateAsync_BearerSchemeInAnyCase_IsAccepted(string scheme)
    {
        var context = Request(authorization: [scheme + Token()]);

        var result = await _authenticator.AuthenticateAsync(context, Policy("jwt"), CancellationToken.None);

        Assert.Equal(AuthOutcome.Succeeded, result.Outcome);
        Assert.Equal("client-app", result.Identity!.Consumer);
    }

    [Fact]
    public async Task AuthenticateAsync_BearerWithoutAToken_FailsAsMalformed()
    {
        var result = await _authenticator.AuthenticateAsync(Request(authorization: ["Bearer"]), Policy("jwt"), CancellationToken.None);

        Assert.Equal(AuthOutcome.Failed, result.Outcome);
        Assert.Equal(AuthFailureReason.TokenMalformed, result.Reason);
    }

    [Fact]
    public async Task AuthenticateAsync_TwoAuthorizationHeaders_IsABadRequest()
    {
        var context = Request(authorization: ["Bearer " + Token(), "Bearer " + Token()]);

        var result = await _authenticator.AuthenticateAsync(context, Policy("jwt"), CancellationToken.None);

        Assert.Equal(AuthOutcome.Failed, result.Outcome);
        Assert.Equal(AuthFailureReason.InvalidRequest, result.Reason);
        Assert.Equal(400, result.StatusCode);
        Assert.Equal("invalid_request", result.ErrorCode);
    }

    [Fact]
    public async Task AuthenticateAsync_TwoApiKeyHeaders_IsABadRequest()
    {
        var result = await _authenticator.AuthenticateAsync(Request(apiKeys: [_key, _key]), Policy("apikey"), CancellationToken.None);

        Assert.Equal(AuthFailureReason.InvalidRequest, result.Reason);
        Assert.Equal(AuthMethod.ApiKey, result.Method);
        Assert.Equal(400, result.StatusCode);
    }

    [Fact]
    public async Task AuthenticateAsync_ApiKeyRoute_AuthenticatesTheKey()
    {
        var result = await _authenticator.AuthenticateAsync(Request(apiKey: _key), Policy("apikey"), CancellationToken.None);

        Assert.Equal("key-consumer", result.Identity!.Consumer);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public async Task AuthenticateAsync_ApiKeyRouteWithoutAKey_IsNoCredentials(string? key)
    {
        var result = await _authenticator.AuthenticateAsync(Request(apiKey: key), Policy("apikey"), CancellationToken.None);

        Assert.Equal(AuthOutcome.NoCredentials, result.Outcome);
        Assert.Equal(401, result.StatusCode);
        Assert.Equal(0, _storage.Calls);
    }

    [Fact]
    public async Task AuthenticateAsync_ApiKeyRouteWithOnlyABearerToken_IsNoCredentials()
    {
        var result = await _authenticator.AuthenticateAsync(Request(authorization: ["Bearer " + Token()]), Policy("apikey"), CancellationToken.None);

        Assert.Equal(AuthOutcome.NoCredentials, result.Outcome);
    }

    [Fact]
    public async Task AuthenticateAsync_ApiKeyRouteWithAWrongKey_FailsWithTheSafeDescription()
    {
        var result = await _authenticator.AuthenticateAsync(Request(apiKey: ApiKeyFactory.Generate()), Policy("apikey"), CancellationToken.None);

        Assert.Equal(AuthOutcome.Failed, result.Outcome);
        Assert.Equal("The API key is not valid", result.Description);
    }

    [Fact]
    public async Task AuthenticateAsync_EitherRouteWithOnlyAKey_UsesTheKey()
    {
        var result = await _authenticator.AuthenticateAsync(Request(apiKey: _key), Policy("jwt|apikey"), CancellationToken.None);

        Assert.Equal(AuthMethod.ApiKey, result.Identity!.Method);
    }

    [Fact]
    public async Task AuthenticateAsync_EitherRouteWithBoth_TheTokenDecides()
    {
        var context = Request(authorization: ["Bearer " + Token()], apiKey: ApiKeyFactory.Generate());

        var result = await _authenticator.AuthenticateAsync(context, Policy("jwt|apikey"), CancellationToken.None);

        Assert.Equal(AuthMethod.Jwt, result.Identity!.Method);
        Assert.Equal(0, _storage.Calls);
    }

    [Fact]
    public async Task AuthenticateAsync_EitherRouteWithABadTokenAndAGoodKey_FailsOnTheToken()
    {
        var context = Request(authorization: ["Bearer not.a.token"], apiKey: _key);

        var result = await _authenticator.AuthenticateAsync(context, Policy("jwt|apikey"), CancellationToken.None);

        Assert.Equal(AuthOutcome.Failed, result.Outcome);
        Assert.Equal(AuthMethod.Jwt, result.Method);
        Assert.Equal(0, _storage.Calls);
    }

    [Fact]
    public async Task AuthenticateAsync_TokenWithoutARequiredScope_IsForbiddenNamingTheRequiredScopes()
    {
        var policy = Policy("jwt", scopes: "orders.read,orders.delete");

        var result = await _authenticator.AuthenticateAsync(Request(authorization: ["Bearer " + Token()]), policy, CancellationToken.None);

        Assert.Equal(AuthOutcome.Forbidden, result.Outcome);
        Assert.Equal(AuthFailureReason.InsufficientScope, result.Reason);
        Assert.Equal(403, result.StatusCode);
        Assert.Equal("insufficient_scope", result.ErrorCode);
        Assert.Equal("The token lacks a required scope", result.Description);
        Assert.Equal(["orders.read", "orders.delete"], result.RequiredScopes.ToArray());
        Assert.Equal("client-app", result.Identity!.Consumer);
    }

    [Fact]
    public async Task AuthenticateAsync_TokenWithoutARequiredRole_IsForbidden()
    {
        var policy = Policy("jwt", roles: "Orders.Auditor");

        var result = await _authenticator.AuthenticateAsync(Request(authorization: ["Bearer " + Token()]), policy, CancellationToken.None);

        Assert.Equal(AuthOutcome.Forbidden, result.Outcome);
        Assert.Equal(AuthFailureReason.InsufficientRole, result.Reason);
        Assert.Equal("The token lacks a required role", result.Description);
    }

    [Fact]
    public async Task AuthenticateAsync_TokenWithAllRequiredScopesAndRoles_Succeeds()
    {
        var policy = Policy("jwt", scopes: "orders.read,orders.write", roles: "Orders.Admin");

        var result = await _authenticator.AuthenticateAsync(Request(authorization: ["Bearer " + Token()]), policy, CancellationToken.None);

        Assert.Equal(AuthOutcome.Succeeded, result.Outcome);
    }

    [Fact]
    public async Task AuthenticateAsync_KeyWithoutARequiredScope_IsForbidden()
    {
        var policy = Policy("apikey", scopes: "orders.write");

        var result = await _authenticator.AuthenticateAsync(Request(apiKey: _key), policy, CancellationToken.None);

        Assert.Equal(AuthOutcome.Forbidden, result.Outcome);
        Assert.Equal("The API key lacks a required scope", result.Description);
        Assert.Equal(AuthMethod.ApiKey, result.Method);
    }

    [Fact]
    public async Task AuthenticateAsync_RejectedKeysUpToTheLimit_ThenKeysNotInMemoryAre429WithoutAStorageRead()
    {
        var rejected = new List<AuthResult>();
        for (var i = 0; i < 3; i++)
        {
            rejected.Add(await _authenticator.AuthenticateAsync(From(_client, apiKey: ApiKeyFactory.Generate()), Policy("apikey"), CancellationToken.None));
        }

        var throttled = await _authenticator.AuthenticateAsync(From(_client, apiKey: ApiKeyFactory.Generate()), Policy("apikey"), CancellationToken.None);

        Assert.All(rejected, r => Assert.Equal(401, r.StatusCode));
        Assert.Equal(AuthOutcome.Throttled, throttled.Outcome);
        Assert.Equal(429, throttled.StatusCode);
        Assert.Equal(60, throttled.RetryAfterSeconds);
        Assert.Equal(3, _storage.Calls);
    }

    [Fact]
    public async Task AuthenticateAsync_ThrottledAddress_ACachedValidKeyIsStillServed()
    {
        await _authenticator.AuthenticateAsync(From(_client, apiKey: _key), Policy("apikey"), CancellationToken.None);
        await FailAsync(_client, times: 3);

        var result = await _authenticator.AuthenticateAsync(From(_client, apiKey: _key), Policy("apikey"), CancellationToken.None);

        Assert.Equal("key-consumer", result.Identity!.Consumer);
    }

    [Fact]
    public async Task AuthenticateAsync_ThrottledAddress_AValidatedTokenIsStillServedButANewTokenIs429()
    {
        var known = Token();
        Assert.True((await _authenticator.AuthenticateAsync(From(_client, bearer: known), Policy("jwt"), CancellationToken.None)).Succeeded);
        await FailAsync(_client, times: 3);

        var again = await _authenticator.AuthenticateAsync(From(_client, bearer: known), Policy("jwt"), CancellationToken.None);
        var fresh = await _authenticator.AuthenticateAsync(From(_client, bearer: TokenFor("another-user")), Policy("jwt"), CancellationToken.None);

        Assert.Equal(AuthOutcome.Succeeded, again.Outcome);
        Assert.Equal(AuthOutcome.Throttled, fresh.Outcome);
        Assert.Equal(AuthMethod.Jwt, fresh.Method);
        Assert.Equal(429, fresh.StatusCode);
    }

    [Fact]
    public async Task AuthenticateAsync_RejectedTokens_CountAsFailedAttempts()
    {
        for (var i = 0; i < 3; i++)
        {
            await _authenticator.AuthenticateAsync(From(_client, bearer: "not.a.token"), Policy("jwt|apikey"), CancellationToken.None);
        }

        var result = await _authenticator.AuthenticateAsync(From(_client, apiKey: ApiKeyFactory.Generate()), Policy("jwt|apikey"), CancellationToken.None);

        Assert.Equal(AuthOutcome.Throttled, result.Outcome);
        Assert.Equal(0, _storage.Calls);
    }

    [Fact]
    public async Task AuthenticateAsync_DuplicateHeaders_CountAsFailedAttempts()
    {
        var context = From(_client);
        context.Request.Headers["X-Api-Key"] = new[] { _key, _key };
        for (var i = 0; i < 3; i++)
        {
            await _authenticator.AuthenticateAsync(context, Policy("apikey"), CancellationToken.None);
        }

        var result = await _authenticator.AuthenticateAsync(From(_client, apiKey: ApiKeyFactory.Generate()), Policy("apikey"), CancellationToken.None);

        Assert.Equal(AuthOutcome.Throttled, result.Outcome);
    }

    [Fact]
    public async Task AuthenticateAsync_MissingCredentialsAndMissingScopes_DoNotCount()
    {
        for (var i = 0; i < 5; i++)
        {
            await _authenticator.AuthenticateAsync(From(_client), Policy("apikey"), CancellationToken.None);
            await _authenticator.AuthenticateAsync(From(_client, apiKey: _key), Policy("apikey", scopes: "orders.write"), CancellationToken.None);
        }

        var result = await _authenticator.AuthenticateAsync(From(_client, apiKey: ApiKeyFactory.Generate()), Policy("apikey"), CancellationToken.None);

        Assert.Equal(AuthOutcome.Failed, result.Outcome);
        Assert.Equal(TimeSpan.Zero, _throttle.ThrottledFor(_client));
    }

    [Fact]
    public async Task AuthenticateAsync_ThrottledAddress_OtherAddressesAreCheckedAsUsual()
    {
        await FailAsync(_client, times: 3);

        var result = await _authenticator.AuthenticateAsync(From(IPAddress.Parse("203.0.113.99"), apiKey: _key), Policy("apikey"), CancellationToken.None);

        Assert.Equal(AuthOutcome.Succeeded, result.Outcome);
    }

    [Fact]
    public async Task AuthenticateAsync_ThrottledAddressAfterTheWindow_IsCheckedAgain()
    {
        await FailAsync(_client, times: 3);

        _time.Advance(TimeSpan.FromSeconds(60));
        var result = await _authenticator.AuthenticateAsync(From(_client, apiKey: _key), Policy("apikey"), CancellationToken.None);

        Assert.Equal(AuthOutcome.Succeeded, result.Outcome);
    }

    [Fact]
    public async Task AuthenticateAsync_ThrottledRequest_IsNotAFailureThatExtendsTheWindow()
    {
        await FailAsync(_client, times: 3);
        _time.Advance(TimeSpan.FromSeconds(30));

        var throttled = await _authenticator.AuthenticateAsync(From(_client, apiKey: ApiKeyFactory.Generate()), Policy("apikey"), CancellationToken.None);

        Assert.Equal(30, throttled.RetryAfterSeconds);
        Assert.Equal(TimeSpan.FromSeconds(30), _throttle.ThrottledFor(_client));
    }

    private async Task FailAsync(IPAddress client, int times)
    {
        for (var i = 0; i < times; i++)
        {
            var result = await _authenticator.AuthenticateAsync(From(client, apiKey: ApiKeyFactory.Generate()), Policy("apikey"), CancellationToken.None);
            Assert.Equal(AuthOutcome.Failed, result.Outcome);
        }
    }

    private string TokenFor(string subject)
    {
        var payload = TestTokens.Payload(_provider.Issuer, _time.GetUtcNow());
        payload["sub"] = subject;
        return TestTokens.Sign(TestKeys.Rsa1, payload);
    }

    private static DefaultHttpContext From(IPAddress client, string? bearer = null, string? apiKey = null)
    {
        var context = Request(authorization: bearer is null ? null : ["Bearer " + bearer], apiKey: apiKey);
        context.Connection.RemoteIpAddress = client;
        return context;
    }

    [Theory]
    [InlineData("api://orders")]
    [InlineData("api://billing,api://orders")]
    [InlineData("api://orders/")]
    public async Task AuthenticateAsync_TokenForOneOfTheRoutesAudiences_Succeeds(string audiences)
    {
        var policy = Policy("jwt", audiences: audiences);

        var result = await _authenticator.AuthenticateAsync(Request(authorization: ["Bearer " + Token()]), policy, CancellationToken.None);

        Assert.Equal(AuthOutcome.Succeeded, result.Outcome);
    }

    [Fact]
    public async Task AuthenticateAsync_TokenForAnotherApiThanTheRoutesAudiences_FailsWithoutNamingThem()
    {
        // The issuer accepts both APIs' audiences; the route accepts only the billing API's tokens.
        var policy = Policy("jwt", audiences: "api://billing");

        var result = await _authenticator.AuthenticateAsync(Request(authorization: ["Bearer " + Token()]), policy, CancellationToken.None);

        Assert.Equal(AuthOutcome.Failed, result.Outcome);
        Assert.Equal(AuthFailureReason.AudienceInvalid, result.Reason);
        Assert.Equal(401, result.StatusCode);
        Assert.Equal("invalid_token", result.ErrorCode);
        Assert.Equal("The token audience is not accepted", result.Description);
        Assert.DoesNotContain("api://", AuthChallenge.Build(result, policy, "gateway", "X-Api-Key").ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuthenticateAsync_ApiKeyOnAnEitherRouteWithAudiences_IsNotAffectedByThem()
    {
        var policy = Policy("jwt|apikey", audiences: "api://billing");

        var result = await _authenticator.AuthenticateAsync(Request(apiKey: _key), policy, CancellationToken.None);

        Assert.Equal(AuthOutcome.Succeeded, result.Outcome);
    }

    private string Token() => TestTokens.Sign(TestKeys.Rsa1, TestTokens.Payload(_provider.Issuer, _time.GetUtcNow()));

    [Theory]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearer\t{token}")]
    [InlineData("Negotiate abc, Bearer {token}")]
    public async Task AuthenticateAsync_JwtOrApiKeyWithANonBearerHeaderAndAKey_IsTheKeyCallerAndTheHeaderIsNotForwarded(string authorization)
    {
        var policy = Policy("jwt|apikey");
        var context = Request(authorization: [authorization.Replace("{token}", Token(), StringComparison.Ordinal)], apiKey: _key);

        var result = await _authenticator.AuthenticateAsync(context, policy, CancellationToken.None);

        Assert.Equal(AuthMethod.ApiKey, result.Identity!.Method);
        Assert.False(IdentityHeaders.ForwardsAuthorization(policy, result.Identity));
    }

    [Fact]
    public async Task AuthenticateAsync_JwtOrApiKeyWithAValidBearerToken_IsTheTokenCallerAndTheHeaderIsForwarded()
    {
        var policy = Policy("jwt|apikey");

        var result = await _authenticator.AuthenticateAsync(Request(authorization: ["Bearer " + Token()], apiKey: _key), policy, CancellationToken.None);

        Assert.Equal(AuthMethod.Jwt, result.Identity!.Method);
        Assert.True(IdentityHeaders.ForwardsAuthorization(policy, result.Identity));
    }

    private static DefaultHttpContext Request(string[]? authorization = null, string? apiKey = null, string[]? apiKeys = null)
    {
        var context = new DefaultHttpContext();
        if (authorization is not null)
        {
            context.Request.Headers.Authorization = authorization;
        }

        if (apiKey is not null || apiKeys is not null)
        {
            context.Request.Headers["X-Api-Key"] = apiKeys ?? [apiKey!];
        }

        return context;
    }

    private static AuthPolicy Policy(string auth, string? scopes = null, string? roles = null, string? audiences = null)
    {
        Assert.True(AuthPolicy.TryParse(auth, scopes, roles, null, audiences, out var policy, out _, out var error), error);
        return policy;
    }
}
