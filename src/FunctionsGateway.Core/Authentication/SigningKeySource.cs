using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace FunctionsGateway.Authentication;

/// <summary>
/// Keeps one issuer's signing keys: fetched on first use, refreshed in the background when older
/// than <see cref="AuthenticationOptions.MetadataRefreshMinutes"/>, refreshed on demand for an
/// unknown <c>kid</c> at most once per <see cref="AuthenticationOptions.MinimumMetadataRefreshSeconds"/>
/// (concurrent callers share one fetch), and never replaced by a failed fetch: while the key
/// endpoint is down, tokens are judged against the last keys fetched.
/// </summary>
/// <remarks>
/// This plays the part of IdentityModel's <c>ConfigurationManager</c>, which reads the wall clock
/// and whose refresh behaviour (blocking or background, AppContext switches) has changed across
/// 8.x releases; here every decision goes through <see cref="TimeProvider"/> and is tested.
/// Documents are still parsed by IdentityModel's retrievers.
/// </remarks>
internal sealed partial class SigningKeySource
{
    private readonly IConfigurationRetriever<OpenIdConnectConfiguration> _retriever;
    private readonly IDocumentRetriever _documents;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _refreshInterval;
    private readonly TimeSpan _minimumInterval;
    private readonly Lock _gate = new();
    private SigningKeySnapshot? _current;
    private Task? _refresh;
    private DateTimeOffset _lastUnknownKeyAttempt = DateTimeOffset.MinValue;
    private DateTimeOffset _lastAttempt = DateTimeOffset.MinValue;

    public SigningKeySource(
        JwtIssuerOptions issuer,
        AuthenticationOptions options,
        IDocumentRetriever documents,
        TimeProvider time,
        ILogger<SigningKeySource> logger)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        Options = issuer;
        Address = issuer.KeySourceAddress
            ?? throw new ArgumentException("The issuer has no Authority, MetadataAddress or JwksUrl.", nameof(issuer));
        ConfiguredIssuer = string.IsNullOrWhiteSpace(issuer.Issuer) ? null : issuer.Issuer.Trim();
        _retriever = issuer.IsJwks ? new JwksConfigurationRetriever() : new OpenIdConnectConfigurationRetriever();
        _documents = documents;
        _time = time;
        _logger = logger;
        _refreshInterval = TimeSpan.FromMinutes(options.MetadataRefreshMinutes);
        _minimumInterval = TimeSpan.FromSeconds(options.MinimumMetadataRefreshSeconds);
    }

    /// <summary>The issuer's settings.</summary>
    public JwtIssuerOptions Options { get; }

    /// <summary>The discovery or JWKS address keys come from.</summary>
    public string Address { get; }

    /// <summary>The configured <c>Issuer</c>, or null when it comes from discovery.</summary>
    public string? ConfiguredIssuer { get; }

    /// <summary>The keys last fetched, or null before the first successful fetch.</summary>
    public SigningKeySnapshot? Current => Volatile.Read(ref _current);

    /// <summary>The fetch in progress, or a completed task; lets tests wait for a background refresh.</summary>
    internal Task PendingRefresh
    {
        get
        {
            lock (_gate)
            {
                return _refresh ?? Task.CompletedTask;
            }
        }
    }

    /// <summary>
    /// Returns the keys, fetching them first if there are none yet. Keys older than the refresh
    /// interval are returned at once while a background fetch replaces them.
    /// </summary>
    /// <returns>The keys, or null when none have ever been fetched and the endpoint is unreachable.</returns>
    public ValueTask<SigningKeySnapshot?> GetAsync(CancellationToken cancellationToken)
    {
        var current = Current;
        var now = _time.GetUtcNow();
        if (current is not null)
        {
            if (now - current.FetchedAt >= _refreshInterval)
            {
                TryStartRefresh(now);
            }

            return ValueTask.FromResult<SigningKeySnapshot?>(current);
        }

        var refresh = TryStartRefresh(now);
        return refresh is null ? ValueTask.FromResult<SigningKeySnapshot?>(null) : AwaitAsync(refresh, cancellationToken);
    }

    /// <summary>
    /// Fetches the keys again because a token names a key not among them, unless a fetch started
    /// less than the minimum interval ago; joins a fetch already running.
    /// </summary>
    /// <returns>The keys after the fetch, or the current ones when throttled.</returns>
    public ValueTask<SigningKeySnapshot?> RefreshForUnknownKeyAsync(CancellationToken cancellationToken)
    {
        var refresh = TryStartRefresh(_time.GetUtcNow(), forUnknownKey: true);
        if (refresh is null)
        {
            Log.RefreshThrottled(_logger, Address);
            return ValueTask.FromResult(Current);
        }

        Log.RefreshingForUnknownKey(_logger, Address);
        return AwaitAsync(refresh, cancellationToken);
    }

    private async ValueTask<SigningKeySnapshot?> AwaitAsync(Task refresh, CancellationToken cancellationToken)
    {
        await refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        return Current;
    }

    // Unknown-kid refreshes are throttled against each other only: a rollover right after a routine
    // fetch must still be seen by its first token, while a flood of made-up kids costs one fetch per interval.
    private Task? TryStartRefresh(DateTimeOffset now, bool forUnknownKey = false)
    {
        TaskCompletionSource started;
        lock (_gate)
        {
            if (_refresh is not null)
            {
                return _refresh;
            }

            var last = forUnknownKey ? _lastUnknownKeyAttempt : _lastAttempt;
            if (now - last < _minimumInterval)
            {
                return null;
            }

            _lastAttempt = now;
            if (forUnknownKey)
            {
                _lastUnknownKeyAttempt = now;
            }

            started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _refresh = started.Task;
        }

        _ = RefreshAsync(started);
        return started.Task;
    }

    private async Task RefreshAsync(TaskCompletionSource completion)
    {
        try
        {
            // Not cancelled by any one request: the fetch is shared. The HTTP client's timeout bounds it.
            var configuration = await _retriever.GetConfigurationAsync(Address, _documents, CancellationToken.None).ConfigureAwait(false);
            var snapshot = CreateSnapshot(configuration);
            if (snapshot is not null)
            {
                Volatile.Write(ref _current, snapshot);
                Log.KeysRefreshed(_logger, Address, snapshot.Keys.Count, snapshot.Issuer);
            }
        }
        catch (Exception ex)
        {
            // A background fetch is a boundary: a failure keeps the last keys and is retried no
            // sooner than the minimum interval.
            Log.RefreshFailed(_logger, Address, ex.GetType().Name, ex.Message, Current?.Keys.Count ?? 0);
        }
        finally
        {
            lock (_gate)
            {
                _refresh = null;
            }

            completion.TrySetResult();
        }
    }

    private SigningKeySnapshot? CreateSnapshot(OpenIdConnectConfiguration configuration)
    {
        var issuer = ConfiguredIssuer ?? configuration.Issuer;
        if (string.IsNullOrWhiteSpace(issuer))
        {
            Log.NoIssuer(_logger, Address);
            return null;
        }

        // Only asymmetric keys: a symmetric key in a JWKS would let anyone holding it (or, with
        // HS/RS confusion, anyone holding the public key) mint tokens.
        var keys = configuration.SigningKeys
            .Where(k => k is AsymmetricSecurityKey || k is JsonWebKey { Kty: JsonWebAlgorithmsKeyTypes.RSA or JsonWebAlgorithmsKeyTypes.EllipticCurve })
            .ToList();
        if (keys.Count == 0)
        {
            Log.NoUsableKeys(_logger, Address);
            return null;
        }

        var parameters = new TokenValidationParameters
        {
            ValidIssuer = issuer,
            ValidAudiences = [.. Options.Audiences],
            ValidAlgorithms = Options.EffectiveAlgorithms,
            IssuerSigningKeys = keys,
            ClockSkew = TimeSpan.FromSeconds(Options.ClockSkewSeconds),
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            RequireAudience = true,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            ValidateIssuerSigningKey = true,
            LifetimeValidator = ValidateLifetime,
            LogValidationExceptions = false,
        };
        return new SigningKeySnapshot(issuer, keys, parameters, _time.GetUtcNow());
    }

    // IdentityModel 8.x checks lifetimes against the wall clock; this does the same checks
    // (RFC 7519 §4.1.4–4.1.5 with the configured leeway) against the gateway's TimeProvider and
    // throws the exceptions the handler would, so the answers stay precise.
    private bool ValidateLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        var skew = parameters.ClockSkew;
        if (expires is null)
        {
            throw new SecurityTokenNoExpirationException("The token has no expiration time.");
        }

        if (notBefore is { } start && start > expires.Value)
        {
            throw new SecurityTokenInvalidLifetimeException("The token's 'nbf' is after its 'exp'.") { NotBefore = start, Expires = expires };
        }

        if (notBefore is { } validFrom && validFrom > now + skew)
        {
            throw new SecurityTokenNotYetValidException("The token is not valid yet.") { NotBefore = validFrom };
        }

        if (expires.Value < now - skew)
        {
            throw new SecurityTokenExpiredException("The token is expired.") { Expires = expires.Value };
        }

        return true;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "Signing keys fetched from {Address}: {KeyCount} keys for issuer {Issuer}")]
        public static partial void KeysRefreshed(ILogger logger, string address, int keyCount, string issuer);

        [LoggerMessage(EventId = 203, Level = LogLevel.Warning, Message = "Signing keys could not be fetched from {Address} ({ErrorType}: {Error}); still using the {CachedKeyCount} keys fetched before. Check the address and that the provider is reachable")]
        public static partial void RefreshFailed(ILogger logger, string address, string errorType, string error, int cachedKeyCount);

        [LoggerMessage(EventId = 204, Level = LogLevel.Information, Message = "A token names a signing key not among those of {Address}; fetching the keys again (key rollover)")]
        public static partial void RefreshingForUnknownKey(ILogger logger, string address);

        [LoggerMessage(EventId = 205, Level = LogLevel.Debug, Message = "A token names a signing key not among those of {Address}; not fetching again so soon")]
        public static partial void RefreshThrottled(ILogger logger, string address);

        [LoggerMessage(EventId = 206, Level = LogLevel.Warning, Message = "The keys from {Address} have no usable signing key (RSA or EC); keeping the previous keys. Check the JWKS")]
        public static partial void NoUsableKeys(ILogger logger, string address);

        [LoggerMessage(EventId = 207, Level = LogLevel.Warning, Message = "The discovery document at {Address} names no issuer; set the issuer's Issuer setting")]
        public static partial void NoIssuer(ILogger logger, string address);
    }
}
