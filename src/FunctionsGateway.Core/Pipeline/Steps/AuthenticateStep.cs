using System.Globalization;
using FunctionsGateway.Authentication;
using FunctionsGateway.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FunctionsGateway.Pipeline.Steps;

/// <summary>
/// Authenticates the caller against the route's policy (<see cref="GatewayAuthenticator"/>) and sets
/// <see cref="GatewayRequestFeature.Identity"/>; a refusal is 401/403 with its <c>WWW-Authenticate</c> challenge,
/// 429 with <c>Retry-After</c> for a throttled client, or 503 <c>auth_unavailable</c>.
/// </summary>
internal sealed partial class AuthenticateStep : IGatewayStep
{
    private readonly GatewayAuthenticator _authenticator;
    private readonly string _realm;
    private readonly string _apiKeyHeader;
    private readonly ILogger _logger;

    public AuthenticateStep(GatewayAuthenticator authenticator, IOptions<AuthenticationOptions> options, ILogger<AuthenticateStep> logger)
    {
        _authenticator = authenticator;
        _realm = options.Value.Realm;
        _apiKeyHeader = options.Value.ApiKeyHeader;
        _logger = logger;
    }

    public ValueTask<GatewayStepResult> InvokeAsync(HttpContext context, GatewayRequestFeature feature)
    {
        var route = feature.MatchedRoute;
        var pending = _authenticator.AuthenticateAsync(context, route.Auth, context.RequestAborted);
        return pending.IsCompletedSuccessfully
            ? Decide(feature, route, pending.Result)
            : AwaitAsync(pending, feature, route);
    }

    private async ValueTask<GatewayStepResult> AwaitAsync(ValueTask<AuthResult> pending, GatewayRequestFeature feature, RouteDefinition route) =>
        Decide(feature, route, await pending.ConfigureAwait(false));

    private GatewayStepResult Decide(GatewayRequestFeature feature, RouteDefinition route, AuthResult auth)
    {
        if (auth.Succeeded)
        {
            feature.Identity = auth.Identity;
            return GatewayStepResult.Continue;
        }

        if (_logger.IsEnabled(LogLevel.Debug))
        {
            // A flood of bad credentials must not cost a formatted string per request when nobody reads it.
            Log.AuthenticationRefused(_logger, route.Id.Key, auth.ToString());
        }

        var refusal = GatewayError.Unauthorized(
            auth.StatusCode,
            auth.ErrorCode ?? (auth.Outcome == AuthOutcome.Unavailable ? "auth_unavailable" : "unauthorized"),
            auth.Description,
            auth.Outcome == AuthOutcome.Unavailable ? default : AuthChallenge.Build(auth, route.Auth, _realm, _apiKeyHeader));
        return GatewayStepResult.Fail(auth.RetryAfterSeconds is { } retryAfter
            ? refusal.WithHeader("Retry-After", retryAfter.ToString(CultureInfo.InvariantCulture))
            : refusal);
    }

    private static partial class Log
    {
        [LoggerMessage(230, LogLevel.Debug, "Route {Route} refused the caller: {Result}")]
        public static partial void AuthenticationRefused(ILogger logger, string route, string result);
    }
}
