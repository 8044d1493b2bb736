using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Tokens;

namespace FunctionsGateway.Authentication;

/// <summary>
/// Validates bearer JWTs against the configured issuers. Before any signature check it rejects
/// oversized and malformed tokens, encrypted tokens, algorithms outside the issuer's allow-list
/// (so <c>alg: none</c> and HS* never reach a key) and issuers that are not configured. Keys come
/// only from the issuer's configured discovery document or JWKS; <c>jku</c>, <c>x5u</c> and
/// <c>jwk</c> token headers are never read. A <c>kid</c> not among the cached keys is looked for in a
/// fetch made after it was seen (key rollover; see <see cref="SigningKeySource.FindUnknownKeyAsync"/>), and
/// a token without <c>kid</c> is tried against at most <see cref="SigningKeySnapshot.MaxKeysTriedWithoutKeyId"/> keys.
/// </summary>
internal sealed partial class JwtValidator
{
    private static readonly string[] ScopeClaims = ["scp", "scope"];

    private readonly JsonWebTokenHandler _handler;
    private readonly ValidatedTokenCache _validated;
    private readonly int _maxTokenLength;
    private readonly TimeSpan _retryKeysAfter;
    private readonly TimeSpan _retryBusyAfter;
    private readonly ILogger _logger;
    private readonly string? _planClaim;

    /// <param name="options">The authentication settings.</param>
    /// <param name="documents">Fetches discovery documents and key sets.</param>
    /// <param name="time">The clock.</param>
    /// <param name="loggerFactory">Loggers.</param>
    /// <param name="planClaim">The claim naming a caller's plan (<c>Gateway__RateLimiting__PlanClaim</c>); null for none.</param>
    public JwtValidator(
        IOptions<AuthenticationOptions> options,
        IDocumentRetriever documents,
        TimeProvider time,
        ILoggerFactory loggerFactory,
        string? planClaim = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _planClaim = planClaim;
        var settings = options.Value;
        _maxTokenLength = settings.MaxTokenBytes;

        // No fetch of an issuer's keys is tried sooner than this, so a retry before it cannot succeed.
        _retryKeysAfter = TimeSpan.FromSeconds(settings.MinimumMetadataRefreshSeconds);
        _retryBusyAfter = TimeSpan.FromSeconds(settings.UnknownKeyRefreshSeconds);
        _handler = new JsonWebTokenHandler { MaximumTokenSizeInBytes = settings.MaxTokenBytes, MapInboundClaims = false };
        _logger = loggerFactory.CreateLogger<JwtValidator>();
        _validated = new ValidatedTokenCache(time, TimeSpan.FromSeconds(settings.ValidatedTokenCacheSeconds), settings.ValidatedTokenCacheSize);
        var sourceLogger = loggerFactory.CreateLogger<SigningKeySource>();
        Sources = [.. settings.Issuers.Select(issuer => new SigningKeySource(issuer, settings, documents, time, sourceLogger))];
    }

    /// <summary>One key source per configured issuer, in configuration order.</summary>
    public ImmutableArray<SigningKeySource> Sources { get; }

    /// <summary>
    /// Fetches every issuer's keys once, so the first requests do not wait for them. Optional:
    /// keys are fetched on first use anyway. Never throws for an unreachable provider.
    /// </summary>
    public Task WarmUpAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(Sources.Select(source => source.GetAsync(cancellationToken).AsTask()));

    /// <summary>
    /// The remembered success of a token that passed validation before, or null: no parsing and no signature
    /// check, so it is safe to call for a caller that may not cost the gateway more.
    /// </summary>
    public AuthResult? FindValidated(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return token.Length > _maxTokenLength ? null : _validated.Find(token);
    }

    /// <summary>Validates a bearer token.</summary>
    /// <param name="token">The token from <c>Authorization: Bearer</c>.</param>
    /// <param name="cancellationToken">The request's cancellation.</param>
    /// <returns>Succeeded with the caller, Failed with a safe description, or Unavailable when the issuer's keys were never fetched.</returns>
    public async ValueTask<AuthResult> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);

        // Tokens are ASCII (base64url and dots); anything else fails parsing below, so the
        // character count bounds the bytes that matter.
        if (token.Length > _maxTokenLength)
        {
            return Reject(AuthFailureReason.TokenTooLarge, "The token is too large");
        }

        if (_validated.Find(token) is { } cached)
        {
            return cached;
        }

        JsonWebToken jwt;
        try
        {
            jwt = _handler.ReadJsonWebToken(token);
        }
        catch (ArgumentException)
        {
            return Reject(AuthFailureReason.TokenMalformed, "The token is malformed");
        }

        if (jwt.IsEncrypted || string.IsNullOrEmpty(jwt.EncodedSignature))
        {
            return jwt.IsEncrypted
                ? Reject(AuthFailureReason.TokenMalformed, "Encrypted tokens are not accepted")
                : Reject(AuthFailureReason.AlgorithmNotAllowed, "The token signing algorithm is not accepted");
        }

        var (source, snapshot, anyUnavailable) = await FindIssuerAsync(jwt.Issuer, cancellationToken).ConfigureAwait(false);
        if (source is null || snapshot is null)
        {
            if (anyUnavailable)
            {
                Log.KeysUnavailable(_logger);
                return AuthResult.Unavailable(AuthMethod.Jwt, AuthFailureReason.SigningKeysUnavailable, "The token could not be checked; try again later", _retryKeysAfter);
            }

            return Reject(AuthFailureReason.IssuerNotTrusted, "The token issuer is not trusted");
        }

        if (!ContainsOrdinal(source.Options.EffectiveAlgorithms, jwt.Alg))
        {
            return Reject(AuthFailureReason.AlgorithmNotAllowed, "The token signing algorithm is not accepted");
        }

        var kid = jwt.Kid;
        var parameters = snapshot.Parameters;
        if (string.IsNullOrEmpty(kid))
        {
            parameters = snapshot.ParametersWithoutKeyId;
        }
        else if (!snapshot.KeyIds.Contains(kid))
        {
            var (lookup, keys) = await source.FindUnknownKeyAsync(kid, cancellationToken).ConfigureAwait(false);
            if (lookup == SigningKeyLookup.Busy)
            {
                return AuthResult.Unavailable(AuthMethod.Jwt, AuthFailureReason.SigningKeyLookupBusy, "The token could not be checked; try again later", _retryBusyAfter);
            }

            if (lookup != SigningKeyLookup.Found || keys is null)
            {
                return Reject(AuthFailureReason.SigningKeyUnknown, "The token signing key is not known");
            }

            snapshot = keys;
            parameters = keys.Parameters;
        }

        var result = await _handler.ValidateTokenAsync(jwt, parameters).ConfigureAwait(false);
        if (!result.IsValid)
        {
            var (reason, description) = Describe(result.Exception);
            var exceptionType = result.Exception?.GetType().Name ?? "none";
            Log.TokenRejected(_logger, reason, exceptionType);
            return AuthResult.Failed(AuthMethod.Jwt, reason, description);
        }

        var consumer = FindConsumer(jwt, source.Options.EffectiveConsumerClaims);
        if (consumer is null)
        {
            return Reject(AuthFailureReason.ConsumerMissing, "The token does not identify its client");
        }

        var identity = GatewayIdentity.FromJwt(jwt, consumer, snapshot.Issuer, ReadScopes(jwt), ReadValues(jwt, "roles"), ReadPlan(jwt));
        Log.TokenAccepted(_logger, consumer, snapshot.Issuer);
        var success = AuthResult.Success(identity);
        _validated.Add(token, success, new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero), source, string.IsNullOrEmpty(kid) ? null : kid);
        return success;
    }

    private async ValueTask<(SigningKeySource? Source, SigningKeySnapshot? Snapshot, bool AnyUnavailable)> FindIssuerAsync(
        string issuer,
        CancellationToken cancellationToken)
    {
        var anyUnavailable = false;
        if (string.IsNullOrEmpty(issuer))
        {
            return (null, null, false);
        }

        foreach (var source in Sources)
        {
            if (source.ConfiguredIssuer is { } configured && !string.Equals(configured, issuer, StringComparison.Ordinal))
            {
                continue;
            }

            var snapshot = await source.GetAsync(cancellationToken).ConfigureAwait(false);
            if (snapshot is null)
            {
                anyUnavailable = true;
                continue;
            }

            if (string.Equals(snapshot.Issuer, issuer, StringComparison.Ordinal))
            {
                return (source, snapshot, false);
            }
        }

        // An issuer whose keys were never fetched makes every unmatched token 503, not only its own: answering 503
        // to its tokens and 401 to others would tell a caller which issuers are trusted.
        foreach (var source in Sources)
        {
            if (!anyUnavailable && source.Current is null && source.ConfiguredIssuer is not null)
            {
                anyUnavailable = await source.GetAsync(cancellationToken).ConfigureAwait(false) is null;
            }
        }

        return (null, null, anyUnavailable);
    }

    private AuthResult Reject(AuthFailureReason reason, string description)
    {
        Log.TokenRejected(_logger, reason, "none");
        return AuthResult.Failed(AuthMethod.Jwt, reason, description);
    }

    private static (AuthFailureReason Reason, string Description) Describe(Exception? exception) => exception switch
    {
        SecurityTokenExpiredException => (AuthFailureReason.TokenExpired, "The token is expired"),
        SecurityTokenNotYetValidException => (AuthFailureReason.TokenNotYetValid, "The token is not valid yet"),
        SecurityTokenNoExpirationException => (AuthFailureReason.TokenWithoutExpiry, "The token has no expiration time"),
        SecurityTokenInvalidAudienceException => (AuthFailureReason.AudienceInvalid, "The token audience is not accepted"),
        SecurityTokenInvalidIssuerException => (AuthFailureReason.IssuerNotTrusted, "The token issuer is not trusted"),
        SecurityTokenInvalidAlgorithmException => (AuthFailureReason.AlgorithmNotAllowed, "The token signing algorithm is not accepted"),
        SecurityTokenSignatureKeyNotFoundException => (AuthFailureReason.SigningKeyUnknown, "The token signing key is not known"),
        SecurityTokenInvalidSignatureException => (AuthFailureReason.SignatureInvalid, "The token signature is invalid"),
        SecurityTokenMalformedException => (AuthFailureReason.TokenMalformed, "The token is malformed"),
        _ => (AuthFailureReason.TokenInvalid, "The token is invalid"),
    };

    private static string? FindConsumer(JsonWebToken jwt, IReadOnlyList<string> claims)
    {
        foreach (var claim in claims)
        {
            if (jwt.TryGetPayloadValue<string>(claim, out var value) && !string.IsNullOrWhiteSpace(value))
            {
                return value;
            }
        }

        return null;
    }

    // A claim that is not a valid plan name (a number, a list, stray characters) gives no plan: the caller gets the
    // route's RateLimit, as one whose plan is not listed.
    private string? ReadPlan(JsonWebToken jwt) =>
        _planClaim is not null && jwt.TryGetPayloadValue<object>(_planClaim, out var raw) && raw is string plan && PlanName.IsValid(plan)
            ? plan
            : null;

    // Scopes come as one space-separated string (Entra ID 'scp', RFC 8693 'scope') or as an
    // array (Okta 'scp'); both claims are read and merged.
    private static ImmutableArray<string> ReadScopes(JsonWebToken jwt)
    {
        ImmutableArray<string>.Builder? scopes = null;
        foreach (var claim in ScopeClaims)
        {
            foreach (var value in ReadValues(jwt, claim))
            {
                foreach (var scope in value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    scopes ??= ImmutableArray.CreateBuilder<string>();
                    if (!scopes.Contains(scope))
                    {
                        scopes.Add(scope);
                    }
                }
            }
        }

        return scopes?.ToImmutable() ?? [];
    }

    private static ImmutableArray<string> ReadValues(JsonWebToken jwt, string claim)
    {
        if (!jwt.TryGetClaim(claim, out _))
        {
            return [];
        }

        // Arrays first: asked for a string, IdentityModel returns an array claim as its JSON text.
        if (jwt.TryGetPayloadValue<string[]>(claim, out var many) && many is not null)
        {
            return [.. many.Where(v => !string.IsNullOrEmpty(v))];
        }

        return jwt.TryGetPayloadValue<string>(claim, out var single) && !string.IsNullOrEmpty(single) ? [single] : [];
    }

    private static bool ContainsOrdinal(IReadOnlyList<string> values, string value)
    {
        foreach (var item in values)
        {
            if (string.Equals(item, value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 200, Level = LogLevel.Debug, Message = "Token accepted for consumer {Consumer} from {Issuer}")]
        public static partial void TokenAccepted(ILogger logger, string consumer, string issuer);

        [LoggerMessage(EventId = 201, Level = LogLevel.Debug, Message = "Token rejected: {Reason} ({ExceptionType})")]
        public static partial void TokenRejected(ILogger logger, AuthFailureReason reason, string exceptionType);

        [LoggerMessage(EventId = 208, Level = LogLevel.Warning, Message = "A token could not be checked because an issuer's signing keys have never been fetched; answering 503. See warning 203 for why")]
        public static partial void KeysUnavailable(ILogger logger);
    }
}
