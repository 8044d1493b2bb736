using FunctionsGateway.Authentication;

namespace FunctionsGateway.Core.Tests.Authentication;

public sealed class AuthResultTests
{
    private static readonly GatewayIdentity Caller = GatewayIdentity.FromApiKey("c", new string('a', 64), null, []);

    [Fact]
    public void StatusAndErrorCode_EachOutcome_MapToTheAnswer()
    {
        var cases = new (AuthResult Result, int Status, string? Code)[]
        {
            (AuthResult.Success(Caller), 200, null),
            (AuthResult.NoCredentials(), 401, null),
            (AuthResult.Failed(AuthMethod.Jwt, AuthFailureReason.TokenExpired, "x"), 401, "invalid_token"),
            (AuthResult.Failed(AuthMethod.ApiKey, AuthFailureReason.ApiKeyInvalid, "x"), 401, "invalid_key"),
            (AuthResult.Failed(AuthMethod.Jwt, AuthFailureReason.InvalidRequest, "x"), 400, "invalid_request"),
            (AuthResult.Forbidden(Caller, AuthFailureReason.InsufficientScope, "x", []), 403, "insufficient_scope"),
            (AuthResult.Unavailable(AuthMethod.ApiKey, AuthFailureReason.KeyStoreUnavailable, "x"), 503, null),
        };

        Assert.All(cases, c =>
        {
            Assert.Equal(c.Status, c.Result.StatusCode);
            Assert.Equal(c.Code, c.Result.ErrorCode);
        });
    }

    [Fact]
    public void ToString_Failure_NamesOutcomeMethodAndReasonOnly()
    {
        var result = AuthResult.Failed(AuthMethod.ApiKey, AuthFailureReason.ApiKeyInvalid, "The API key is not valid");

        var text = result.ToString();

        Assert.Equal("Failed ApiKey ApiKeyInvalid", text);
    }
}
