using System.Net;
using FunctionsGateway.Authentication;
using FunctionsGateway.Core.Tests.Authentication;
using FunctionsGateway.Pipeline.Steps;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static FunctionsGateway.Core.Tests.Pipeline.Steps.StepTestContext;
using static FunctionsGateway.Routing.TestRoutes;

namespace FunctionsGateway.Core.Tests.Pipeline.Steps;

/// <summary>
/// The authentication step hands the caller's identity on, and turns a refusal into the problem the client gets:
/// a challenge with a 401, <c>Retry-After</c> (and no challenge) with a 429.
/// </summary>
public sealed class AuthenticateStepTests
{
    private readonly FakeTimeProvider _time = new(TimeProvider.System.GetUtcNow());
    private readonly FakeApiKeyLookup _storage = new();
    private readonly AuthenticationOptions _options = new() { RequireHttpsMetadata = false, MaxFailedAuthPerClient = 3, FailedAuthWindowSeconds = 60 };
    private readonly AuthenticateStep _step;

    public AuthenticateStepTests()
    {
        var logs = new CapturingLogger();
        var wrapped = Options.Create(_options);
        var apiKeys = new ApiKeyAuthenticator(_storage, wrapped, _time, logs.For<ApiKeyAuthenticator>());
        var jwt = new JwtValidator(wrapped, new MetadataDocumentRetriever(TestHttpClients.Factory, requireHttps: false), _time, logs);
        var throttle = new FailedAuthThrottle(wrapped, _time, logs.For<FailedAuthThrottle>());
        var authenticator = new GatewayAuthenticator(jwt, apiKeys, throttle, wrapped, logs.For<GatewayAuthenticator>());
        _step = new AuthenticateStep(authenticator, wrapped, logs.For<AuthenticateStep>());
    }

    [Fact]
    public async Task InvokeAsync_AnonymousRoute_SetsAnIdentityAndContinues()
    {
        var feature = FeatureFor(Route("/orders"));

        var result = await _step.InvokeAsync(Request("GET", "/orders"), feature);

        Assert.False(result.Ended);
        Assert.NotNull(feature.Identity);
    }

    [Fact]
    public async Task InvokeAsync_ApiKeyRouteWithoutAKey_Fails401WithTheChallengeAndSetsNoIdentity()
    {
        var feature = FeatureFor(Route("/orders", auth: "apikey"));

        var result = await _step.InvokeAsync(Request("GET", "/orders"), feature);

        Assert.Equal(401, result.Error?.Status);
        Assert.Contains(result.Error!.Headers, header => header.Key == "WWW-Authenticate");
        Assert.DoesNotContain(result.Error.Headers, header => header.Key == "Retry-After");
        Assert.Null(feature.Identity);
    }

    [Fact]
    public async Task InvokeAsync_ClientPastTheFailedAttemptLimit_Fails429WithRetryAfterAndNoChallenge()
    {
        var route = Route("/orders", auth: "apikey");
        for (var i = 0; i < _options.MaxFailedAuthPerClient; i++)
        {
            await _step.InvokeAsync(WithUnknownKey(), FeatureFor(route));
        }

        var result = await _step.InvokeAsync(WithUnknownKey(), FeatureFor(route));

        Assert.Equal(429, result.Error?.Status);
        Assert.Equal(["Retry-After: 60"], result.Error!.Headers.Select(header => $"{header.Key}: {header.Value}"));
    }

    private DefaultHttpContext WithUnknownKey()
    {
        var context = Request("GET", "/orders");
        context.Connection.RemoteIpAddress = IPAddress.Parse("203.0.113.7");
        context.Request.Headers[_options.ApiKeyHeader] = ApiKeyFactory.Generate();
        return context;
    }
}
