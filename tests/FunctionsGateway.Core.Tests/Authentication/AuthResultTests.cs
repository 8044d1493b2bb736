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
            (AuthResult.Throttled(AuthMethod.ApiKey, TimeSpan.FromSeconds(30)), 429, "too_many_failed_attempts"),
        };

        Assert.All(cases, c =>
        {
            Assert.Equal(c.Status, c.Result.StatusCode);
            Assert.Equal(c.Code, c.Result.ErrorCode);
        });
    }

    [Theory]
    [InlineData(0.2, 1)]
    [InlineData(1.0, 1)]
    [InlineData(29.01, 30)]
    public void RetryAfterSeconds_FractionOfASecond_RoundsUpToWholeSecondsOfAtLeastOne(double seconds, int expected)
    {
        var delay = TimeSpan.FromSeconds(seconds);

        var throttled = AuthResult.Throttled(AuthMethod.Jwt, delay);
        var unavailable = AuthResult.Unavailable(AuthMethod.ApiKey, AuthFailureReason.KeyLookupQueueFull, "x", delay);

        Assert.Equal(expected, throttled.RetryAfterSeconds);
        Assert.Equal(expected, unavailable.RetryAfterSeconds);
    }

    [Fact]
    public void RetryAfterSeconds_RejectedCredential_IsNull()
    {
        var result = AuthResult.Failed(AuthMethod.ApiKey, AuthFailureReason.ApiKeyInvalid, "The API key is not valid");

        Assert.Null(result.RetryAfterSeconds);
    }

    [Fact]
    public void Throttled_Any_HasAFixedDescriptionPointingAtRetryAfter()
    {
        var result = AuthResult.Throttled(AuthMethod.ApiKey, TimeSpan.FromSeconds(5));

        Assert.Equal(AuthFailureReason.TooManyFailedAttempts, result.Reason);
        Assert.Equal("Too many failed authentication attempts from this address; retry after the time in Retry-After", result.Description);
    }

    [Fact]
    public void ToString_Failure_NamesOutcomeMethodAndReasonOnly()
    {
        var result = AuthResult.Failed(AuthMethod.ApiKey, AuthFailureReason.ApiKeyInvalid, "The API key is not valid");

        var text = result.ToString();

        Assert.Equal("Failed ApiKey ApiKeyInvalid", text);
    }
}
