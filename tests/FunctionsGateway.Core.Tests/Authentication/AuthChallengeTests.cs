using FunctionsGateway.Authentication;

namespace FunctionsGateway.Core.Tests.Authentication;

public sealed class AuthChallengeTests
{
    private static readonly AuthPolicy Jwt = Policy("jwt");
    private static readonly AuthPolicy ApiKey = Policy("apikey");
    private static readonly AuthPolicy Either = Policy("jwt|apikey");

    [Fact]
    public void Build_NoCredentialsOnAJwtRoute_IsABareBearerChallenge()
    {
        var header = AuthChallenge.Build(AuthResult.NoCredentials(), Jwt, "gateway", "X-Api-Key");

        Assert.Equal(["Bearer realm=\"gateway\""], Values(header));
    }

    [Fact]
    public void Build_NoCredentialsOnAnApiKeyRoute_NamesTheHeader()
    {
        var header = AuthChallenge.Build(AuthResult.NoCredentials(), ApiKey, "gateway", "X-Api-Key");

        Assert.Equal(["ApiKey realm=\"gateway\", header=\"X-Api-Key\""], Values(header));
    }

    [Fact]
    public void Build_ExpiredTokenOnAJwtRoute_CarriesInvalidTokenAndTheSafeDescription()
    {
        var failed = AuthResult.Failed(AuthMethod.Jwt, AuthFailureReason.TokenExpired, "The token is expired");

        var header = AuthChallenge.Build(failed, Jwt, "gateway", "X-Api-Key");

        Assert.Equal(["Bearer realm=\"gateway\", error=\"invalid_token\", error_description=\"The token is expired\""], Values(header));
    }

    [Fact]
    public void Build_RejectedKeyOnAnEitherRoute_OffersBothWithTheErrorOnTheApiKey()
    {
        var failed = AuthResult.Failed(AuthMethod.ApiKey, AuthFailureReason.ApiKeyInvalid, "The API key is not valid");

        var header = AuthChallenge.Build(failed, Either, "gateway", "X-Api-Key");

        Assert.Equal(
            [
                "Bearer realm=\"gateway\"",
                "ApiKey realm=\"gateway\", header=\"X-Api-Key\", error=\"invalid_key\", error_description=\"The API key is not valid\"",
            ],
            Values(header));
    }

    [Fact]
    public void Build_TwoAuthorizationHeaders_IsInvalidRequest()
    {
        var failed = AuthResult.Failed(AuthMethod.Jwt, AuthFailureReason.InvalidRequest, "Send one Authorization header");

        var header = AuthChallenge.Build(failed, Jwt, "gateway", "X-Api-Key");

        Assert.Equal(["Bearer realm=\"gateway\", error=\"invalid_request\", error_description=\"Send one Authorization header\""], Values(header));
    }

    [Fact]
    public void Build_MissingScope_CarriesInsufficientScopeAndTheRequiredScopes()
    {
        var policy = Policy("jwt", scopes: "orders.read,orders.write");
        var identity = GatewayIdentity.FromApiKey("c", new string('a', 64), null, []);
        var forbidden = AuthResult.Forbidden(identity, AuthFailureReason.InsufficientScope, "The API key lacks a required scope", policy.RequiredScopes);

        var header = AuthChallenge.Build(forbidden, Policy("jwt|apikey", scopes: "orders.read,orders.write"), "gateway", "X-Api-Key");

        Assert.Equal(
            [
                "Bearer realm=\"gateway\"",
                "ApiKey realm=\"gateway\", header=\"X-Api-Key\", error=\"insufficient_scope\", error_description=\"The API key lacks a required scope\", scope=\"orders.read orders.write\"",
            ],
            Values(header));
    }

    [Fact]
    public void Build_SucceededUnavailableOrThrottled_HasNoChallenge()
    {
        var unavailable = AuthResult.Unavailable(AuthMethod.ApiKey, AuthFailureReason.KeyStoreUnavailable, "later");
        var throttled = AuthResult.Throttled(AuthMethod.Jwt, TimeSpan.FromSeconds(30));

        var none = AuthChallenge.Build(AuthResult.Success(GatewayIdentity.Anonymous), Jwt, "gateway", "X-Api-Key");
        var alsoNone = AuthChallenge.Build(unavailable, ApiKey, "gateway", "X-Api-Key");
        var noneEither = AuthChallenge.Build(throttled, Jwt, "gateway", "X-Api-Key");

        Assert.Equal(0, none.Count);
        Assert.Equal(0, alsoNone.Count);
        Assert.Equal(0, noneEither.Count);
    }

    private static string[] Values(Microsoft.Extensions.Primitives.StringValues header) => [.. header.Select(v => v!)];

    private static AuthPolicy Policy(string auth, string? scopes = null)
    {
        Assert.True(AuthPolicy.TryParse(auth, scopes, null, null, out var policy, out _, out var error), error);
        return policy;
    }
}
