using System.Collections.Immutable;
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
/// </remarks>
internal sealed partial class GatewayAuthenticator
{
    private static readonly AuthResult AnonymousSuccess = AuthResult.Success(GatewayIdentity.Anonymous);

    // The same answer as a token the issuer's audience check refused: a caller learns the kind, never the audiences.
    private static readonly AuthResult AudienceRefused =
        AuthResult.Failed(AuthMethod.Jwt, AuthFailureReason.AudienceInvalid, "The token audience is not accepted");

    private readonly JwtValidator _jwt;
    private readonly ApiKeyAuthenticator _apiKeys;
    private readonly string _apiKeyHeader;
    private readonly ILogger _logger;

    public GatewayAuthenticator(
        JwtValidator jwt,
        ApiKeyAuthenticator apiKeys,
        IOptions<AuthenticationOptions> options,
        ILogger<GatewayAuthenticator> logger)
    {
        ArgumentNullException.ThrowIfNull(jwt);
        ArgumentNullException.ThrowIfNull(apiKeys);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _jwt = jwt;
        _apiKeys = apiKeys;
        _apiKeyHeader = options.Value.ApiKeyHeader;
        _logger = logger;
    }

    /// <summary>
    /// Authenticates <paramref name="context"/>'s request under <paramref name="policy"/>.
    /// </summary>
    /// <param name="context">The incoming request; only its headers are read.</param>
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
        if (policy.AcceptsJwt)
        {
            var authorization = headers.Authorization;
            if (authorization.Count > 1)
            {
                Log.DuplicateHeader(_logger, "Authorization");
                return ValueTask.FromResult(AuthResult.Failed(AuthMethod.Jwt, AuthFailureReason.InvalidRequest, "Send one Authorization header"));
            }

            if (TryGetBearerToken(authorization, out var token))
            {
                return token.Length == 0
                    ? ValueTask.FromResult(AuthResult.Failed(AuthMethod.Jwt, AuthFailureReason.TokenMalformed, "The token is malformed"))
                    : AuthorizeAsync(_jwt.ValidateAsync(token, cancellationToken), policy);
            }
        }

        if (policy.AcceptsApiKey)
        {
            var keys = headers[_apiKeyHeader];
            if (keys.Count > 1)
            {
                Log.DuplicateHeader(_logger, _apiKeyHeader);
                return ValueTask.FromResult(AuthResult.Failed(AuthMethod.ApiKey, AuthFailureReason.InvalidRequest, $"Send one {_apiKeyHeader} header"));
            }

            var key = keys.ToString().Trim();
            if (key.Length > 0)
            {
                return AuthorizeAsync(_apiKeys.AuthenticateAsync(key, cancellationToken), policy);
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

    private ValueTask<AuthResult> AuthorizeAsync(ValueTask<AuthResult> authentication, AuthPolicy policy)
    {
        // Cache hits complete synchronously; only real waits pay for an async state machine.
        return authentication.IsCompletedSuccessfully
            ? ValueTask.FromResult(Authorize(authentication.Result, policy))
            : AwaitAndAuthorizeAsync(authentication, policy);
    }

    private async ValueTask<AuthResult> AwaitAndAuthorizeAsync(ValueTask<AuthResult> authentication, AuthPolicy policy) =>
        Authorize(await authentication.ConfigureAwait(false), policy);

    private AuthResult Authorize(AuthResult result, AuthPolicy policy)
    {
        if (!result.Succeeded)
        {
            return result;
        }

        var identity = result.Identity;
        if (!policy.Audiences.IsEmpty && identity.Method == AuthMethod.Jwt && !HoldsAny(identity.Audiences, policy.Audiences))
        {
            Log.AudienceNotAccepted(_logger, identity.Consumer ?? string.Empty);
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
    }
}
