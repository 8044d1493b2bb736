using FunctionsGateway.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace FunctionsGateway.Core.Tests.Authentication;

public sealed class GatewayAuthenticatorTests : IAsyncLifetime
{
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
        var options = new AuthenticationOptions { RequireHttpsMetadata = false };
        options.Issuers.Add(issuer);
        var wrapped = Options.Create(options);
        _apiKeys = new ApiKeyAuthenticator(_storage, wrapped, _time, _logs.For<ApiKeyAuthenticator>());
        var jwt = new JwtValidator(wrapped, new MetadataDocumentRetriever(TestHttpClients.Factory, requireHttps: false), _time, _logs);
        _authenticator = new GatewayAuthenticator(jwt, _apiKeys, wrapped, _logs.For<GatewayAuthenticator>());
        _key = ApiKeyFactory.Generate();
        _storage.Add(_key, "key-consumer", scopes: "orders.read");
    }

    public async Task DisposeAsync()
    {
        _apiKeys.Dispose();
        await _provider.DisposeAsync();
    }

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
