using System.Collections.Immutable;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace FunctionsGateway.Authentication;

/// <summary>
/// Authenticates a request under a route's <see cref="AuthPolicy"/> and checks its audiences, scopes and
/// roles: the one call the pipeline makes between matching a route and rate limiting.
/// </summary>
/// <remarks>
/// On a <c>jwt|apikey</c> route a bearer token, when present, decides alone: an invalid token is
/// rejected even if a valid API key is also sent, so a caller cannot shop between credentials.
/// Only without a bearer token is the API key checked. An <c>Authorization</c> header that is not
/// <c>Bearer</c> followed by a space (<c>Basic</c>, <c>Bearer&lt;TAB&gt;</c>) counts as no token, and
/// <see cref="IdentityHeaders.ForwardsAuthorization"/> then keeps it from the backend.
/// <para>
/// Every rejected credential (400/401) counts against the client's address in <see cref="FailedAuthThrottle"/>.
/// While the address is throttled, a token is served only from the validated-token cache and a key only if its
/// row is in memory; anything else is answered 429 before any storage read or signature check. Credentials
/// already known to be good keep working, so a valid consumer behind the same address (NAT) is not locked out
/// by a flood it shares the address with.
/// </para>
/// </remarks>
internal sealed partial class GatewayAuthenticator
{
    private static readonly AuthResult AnonymousSuccess = AuthResult.Success(GatewayIdentity.Anonymous);

    // The same answer as a token the issuer's audience check refused: a caller learns the kind, never the audiences.
    private static readonly AuthResult AudienceRefused =
        AuthResult.Failed(AuthMethod.Jwt, AuthFailureReason.AudienceInvalid, "The token audience is not accepted");

    private readonly JwtValidator _jwt;
    private readonly ApiKeyAuthenticator _apiKeys;
    private readonly FailedAuthThrottle _throttle;
    private readonly string _apiKeyHeader;
    private readonly ILogger _logger;

    public GatewayAuthenticator(
        JwtValidator jwt,
        ApiKeyAuthenticator apiKeys,
        FailedAuthThrottle throttle,
        IOptions<AuthenticationOptions> options,
        ILogger<GatewayAuthenticator> logger)
    {
        ArgumentNullException.ThrowIfNull(jwt);
        ArgumentNullException.ThrowIfNull(apiKeys);
        ArgumentNullException.ThrowIfNull(throttle);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _jwt = jwt;
        _apiKeys = apiKeys;
        _throttle = throttle;
        _apiKeyHeader = options.Value.ApiKeyHeader;
        _logger = logger;
    }

    /// <summary>
    /// Authenticates <paramref name="context"/>'s request under <paramref name="policy"/>.
    /// </summary>
    /// <param name="context">The incoming request; only its headers and its connection's remote address are read.</param>
    /// <param name="policy">The matched route's policy.</param>
    /// <param name="cancellationToken">Usually <see cref="HttpContext.RequestAborted"/>.</param>
    /// <returns>A value for every expected outcome; see <see cref="AuthResult"/>.</returns>
    public ValueTask<AuthResult> AuthenticateAsync(HttpContext context, AuthPolicy policy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(policy);
        if (policy.Mode == AuthMode.Anonymous)
        {
            return ValueTask.FromResult(AnonymousSuccess);
        }

        var headers = context.Request.Headers;
        var client = context.Connection.RemoteIpAddress;
        if (policy.AcceptsJwt)
        {
            var authorization = headers.Authorization;
            if (authorization.Count > 1)
            {
                Log.DuplicateHeader(_logger, "Authorization");
                return Refuse(AuthResult.Failed(AuthMethod.Jwt, AuthFailureReason.InvalidRequest, "Send one Authorization header"), client);
            }

            if (TryGetBearerToken(authorization, out var token))
            {
                if (token.Length == 0)
                {
                    return Refuse(AuthResult.Failed(AuthMethod.Jwt, AuthFailureReason.TokenMalformed, "The token is malformed"), client);
                }

                var throttledFor = _throttle.ThrottledFor(client);
                if (throttledFor > TimeSpan.Zero)
                {
                    var known = _jwt.FindValidated(token) ?? AuthResult.Throttled(AuthMethod.Jwt, throttledFor);
                    return ValueTask.FromResult(Authorize(known, policy, client));
                }

                return AuthorizeAsync(_jwt.ValidateAsync(token, cancellationToken), policy, client);
            }
        }

        if (policy.AcceptsApiKey)
        {
            var keys = headers[_apiKeyHeader];
            if (keys.Count > 1)
            {
                Log.DuplicateHeader(_logger, _apiKeyHeader);
                return Refuse(AuthResult.Failed(AuthMethod.ApiKey, AuthFailureReason.InvalidRequest, $"Send one {_apiKeyHeader} header"), client);
            }

            var key = keys.ToString().Trim();
            if (key.Length > 0)
            {
                return AuthorizeAsync(_apiKeys.AuthenticateAsync(key, _throttle.ThrottledFor(client), cancellationToken), policy, client);
            }
        }

        return ValueTask.FromResult(AuthResult.NoCredentials());
    }

    /// <summary>
    /// Reads <c>Authorization: Bearer &lt;token&gt;</c> (scheme case-insensitive, RFC 6750 §2.1).
    /// </summary>
    /// <returns>Whether the header uses the Bearer scheme; the token is empty when none follows.</returns>
    internal static bool TryGetBearerToken(StringValues authorization, out string token)
    {
        token = string.Empty;
        if (authorization.Count != 1)
        {
            return false;
        }

        var value = authorization[0].AsSpan().Trim();
        const string scheme = "Bearer";
        if (!value.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)
            || (value.Length > scheme.Length && value[scheme.Length] != ' '))
        {
            return false;
        }

        token = value[scheme.Length..].Trim().ToString();
        return true;
    }

    private ValueTask<AuthResult> AuthorizeAsync(ValueTask<AuthResult> authentication, AuthPolicy policy, IPAddress? client)
    {
        // Cache hits complete synchronously; only real waits pay for an async state machine.
        return authentication.IsCompletedSuccessfully
            ? ValueTask.FromResult(Authorize(authentication.Result, policy, client))
            : AwaitAndAuthorizeAsync(authentication, policy, client);
    }

    private async ValueTask<AuthResult> AwaitAndAuthorizeAsync(ValueTask<AuthResult> authentication, AuthPolicy policy, IPAddress? client) =>
        Authorize(await authentication.ConfigureAwait(false), policy, client);

    private ValueTask<AuthResult> Refuse(AuthResult failure, IPAddress? client)
    {
        _throttle.RecordFailure(client);
        return ValueTask.FromResult(failure);
    }

    private AuthResult Authorize(AuthResult result, AuthPolicy policy, IPAddress? client)
    {
        if (!result.Succeeded)
        {
            if (result.Outcome == AuthOutcome.Failed)
            {
                _throttle.RecordFailure(client);
            }
            else if (result.Outcome == AuthOutcome.Throttled)
            {
                Log.NotExamined(_logger, client, result);
            }

            return result;
        }

        var identity = result.Identity;
        if (!policy.Audiences.IsEmpty && identity.Method == AuthMethod.Jwt && !HoldsAny(identity.Audiences, policy.Audiences))
        {
            Log.AudienceNotAccepted(_logger, identity.Consumer ?? string.Empty);
            _throttle.RecordFailure(client);
            return AudienceRefused;
        }

        var credential = identity.Method == AuthMethod.ApiKey ? "API key" : "token";
        foreach (var scope in policy.RequiredScopes)
        {
            if (!identity.Scopes.Contains(scope, StringComparer.Ordinal))
            {
                Log.MissingScope(_logger, identity.Consumer ?? string.Empty, scope);
                return AuthResult.Forbidden(identity, AuthFailureReason.InsufficientScope, $"The {credential} lacks a required scope", policy.RequiredScopes);
            }
        }

        foreach (var role in policy.RequiredRoles)
        {
            if (!identity.Roles.Contains(role, StringComparer.Ordinal))
            {
                Log.MissingRole(_logger, identity.Consumer ?? string.Empty, role);
                return AuthResult.Forbidden(identity, AuthFailureReason.InsufficientRole, $"The {credential} lacks a required role", []);
            }
        }

        return result;
    }

    private static bool HoldsAny(ImmutableArray<string> held, ImmutableArray<string> accepted)
    {
        foreach (var audience in held)
        {
            foreach (var candidate in accepted)
            {
                if (AudienceMatch.Same(audience, candidate))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 220, Level = LogLevel.Debug, Message = "Consumer {Consumer} lacks the scope {Scope} the route requires")]
        public static partial void MissingScope(ILogger logger, string consumer, string scope);

        [LoggerMessage(EventId = 221, Level = LogLevel.Debug, Message = "Consumer {Consumer} lacks the role {Role} the route requires")]
        public static partial void MissingRole(ILogger logger, string consumer, string role);

        [LoggerMessage(EventId = 222, Level = LogLevel.Debug, Message = "Request rejected: more than one {Header} header")]
        public static partial void DuplicateHeader(ILogger logger, string header);

        [LoggerMessage(EventId = 223, Level = LogLevel.Debug, Message = "Consumer {Consumer}'s token has none of the audiences the route accepts")]
        public static partial void AudienceNotAccepted(ILogger logger, string consumer);

        public static void NotExamined(ILogger logger, IPAddress? client, AuthResult result)
        {
            // A flood of throttled requests must not cost a formatted address each when nobody reads Debug.
            if (logger.IsEnabled(LogLevel.Debug))
            {
#pragma warning disable CA1873 // Guarded by IsEnabled just above.
                NotExamined(logger, client?.ToString() ?? string.Empty, result.Method, result.RetryAfterSeconds ?? 0);
#pragma warning restore CA1873
            }
        }

        [LoggerMessage(EventId = 226, Level = LogLevel.Debug, Message = "Client {Client} is throttled for {Seconds} s more; its {Method} credential was not examined (429)")]
        public static partial void NotExamined(ILogger logger, string client, AuthMethod method, int seconds);
    }
}
