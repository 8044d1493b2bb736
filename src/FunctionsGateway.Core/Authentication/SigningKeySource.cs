using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace FunctionsGateway.Authentication;

/// <summary>
/// Keeps one issuer's signing keys: fetched on first use, refreshed in the background when older
/// than <see cref="AuthenticationOptions.MetadataRefreshMinutes"/>, fetched again for an unknown
/// <c>kid</c> at most once per <see cref="AuthenticationOptions.UnknownKeyRefreshSeconds"/> (concurrent
/// callers share one fetch, later ones wait for the next allowed fetch), and never replaced by a failed
/// fetch: while the key endpoint is down, tokens are judged against the last keys fetched.
/// </summary>
/// <remarks>
/// This plays the part of IdentityModel's <c>ConfigurationManager</c>, which reads the wall clock
/// and whose refresh behaviour (blocking or background, AppContext switches) has changed across
/// 8.x releases; here every decision goes through <see cref="TimeProvider"/> and is tested.
/// Documents are still parsed by IdentityModel's retrievers.
/// </remarks>
internal sealed partial class SigningKeySource
{
    /// <summary>
    /// The most requests that may wait at once for this issuer's next fetch; beyond it an unknown <c>kid</c>
    /// is answered at once (503), so a flood of invented <c>kid</c>s cannot pile up waiting requests.
    /// </summary>
    internal const int MaxUnknownKeyWaiters = 256;

    /// <summary>The most <c>kid</c>s remembered as not the issuer's; a full memory drops expired entries, then all.</summary>
    internal const int MaxRememberedUnknownKeys = 1024;

    /// <summary>
    /// How long a <c>kid</c> that a fresh fetch lacked is remembered as not the issuer's: repeating it fails at
    /// once, without waiting or fetching. Short, because an issuer that signs before its JWKS shows the key
    /// would otherwise have that key refused for long.
    /// </summary>
    internal static readonly TimeSpan UnknownKeyMemory = TimeSpan.FromSeconds(60);

    private readonly IConfigurationRetriever<OpenIdConnectConfiguration> _retriever;
    private readonly IDocumentRetriever _documents;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _refreshInterval;
    private readonly TimeSpan _minimumInterval;
    private readonly TimeSpan _unknownKeyInterval;
    private readonly Lock _gate = new();

    // kid -> the number of the last fetch started when a waiting request first saw it; only a later fetch
    // has looked for it. Entries live until the next fetch completes, so there are never many.
    private readonly Dictionary<string, long> _sightings = new(StringComparer.Ordinal);

    // kid -> until when it is known not to be the issuer's.
    private readonly Dictionary<string, DateTimeOffset> _unknownKeys = new(StringComparer.Ordinal);
    private SigningKeySnapshot? _current;
    private Task<bool>? _fetch;
    private long _fetchNumber;
    private Task<bool>? _nextUnknownKeyFetch;
    private int _waiters;
    private DateTimeOffset _lastUnknownKeyFetch = DateTimeOffset.MinValue;
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
        _unknownKeyInterval = TimeSpan.FromSeconds(options.UnknownKeyRefreshSeconds);
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
                return _fetch ?? Task.CompletedTask;
            }
        }
    }

    /// <summary>How many requests wait for a fetch for an unknown <c>kid</c>; lets tests wait until they all do.</summary>
    internal int UnknownKeyWaiters
    {
        get
        {
            lock (_gate)
            {
                return _waiters;
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
                TryStartRoutineFetch(now);
            }

            return ValueTask.FromResult<SigningKeySnapshot?>(current);
        }

        var fetch = TryStartRoutineFetch(now);
        return fetch is null ? ValueTask.FromResult<SigningKeySnapshot?>(null) : AwaitAsync(fetch, cancellationToken);
    }

    /// <summary>
    /// Looks for <paramref name="kid"/>, which is not among the cached keys, in a fetch that starts after it
    /// was first seen: the fetch in progress if it did, otherwise a new one, no sooner than
    /// <see cref="AuthenticationOptions.UnknownKeyRefreshSeconds"/> after the last fetch for an unknown
    /// <c>kid</c> (the caller waits for it). A <c>kid</c> such a fetch lacked is remembered for
    /// <see cref="UnknownKeyMemory"/> and then refused at once.
    /// </summary>
    /// <param name="kid">The token's <c>kid</c>.</param>
    /// <param name="cancellationToken">The request's cancellation; it ends the wait, never the shared fetch.</param>
    /// <returns>What was found, with the keys to judge the token against (null only if none were ever fetched).</returns>
    public async ValueTask<(SigningKeyLookup Lookup, SigningKeySnapshot? Keys)> FindUnknownKeyAsync(string kid, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(kid);
        Task<bool> fetch;
        TaskCompletionSource<bool>? startNow = null;
        TaskCompletionSource<bool>? startLater = null;
        long number = 0;
        var delay = TimeSpan.Zero;
        lock (_gate)
        {
            var current = Current;
            if (current is not null && current.KeyIds.Contains(kid))
            {
                return (SigningKeyLookup.Found, current);
            }

            var now = _time.GetUtcNow();
            if (IsRememberedAsUnknown(kid, now))
            {
                Log.RememberedUnknownKey(_logger, Address);
                return (SigningKeyLookup.Unknown, current);
            }

            if (_waiters >= MaxUnknownKeyWaiters || (_sightings.Count >= MaxUnknownKeyWaiters && !_sightings.ContainsKey(kid)))
            {
                Log.TooManyWaiters(_logger, Address, MaxUnknownKeyWaiters);
                return (SigningKeyLookup.Busy, current);
            }

            if (!_sightings.TryGetValue(kid, out var seenAfter))
            {
                seenAfter = _fetchNumber;
                _sightings[kid] = seenAfter;
            }

            if (_fetch is not null && _fetchNumber > seenAfter)
            {
                fetch = _fetch;
            }
            else if (_nextUnknownKeyFetch is not null)
            {
                fetch = _nextUnknownKeyFetch;
            }
            else if (_fetch is null && now - _lastUnknownKeyFetch >= _unknownKeyInterval)
            {
                _lastUnknownKeyFetch = now;
                (startNow, number) = BeginFetch(now);
                fetch = startNow.Task;
                Log.RefreshingForUnknownKey(_logger, Address);
            }
            else
            {
                // Throttled, or a fetch that started before this kid was seen is running: it may have read the
                // keys before the issuer published this one, so only the next fetch can tell.
                delay = _lastUnknownKeyFetch + _unknownKeyInterval - now;
                delay = delay > TimeSpan.Zero ? delay : TimeSpan.Zero;
                startLater = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                _nextUnknownKeyFetch = startLater.Task;
                fetch = startLater.Task;
                Log.WaitingForNextFetch(_logger, Address, delay.TotalSeconds);
            }

            _waiters++;
        }

        if (startNow is not null)
        {
            _ = FetchAsync(number, startNow);
        }

        if (startLater is not null)
        {
            _ = FetchLaterAsync(delay, startLater);
        }

        bool looked;
        try
        {
            looked = await fetch.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
            {
                _waiters--;
            }
        }

        var keys = Current;
        if (keys is not null && keys.KeyIds.Contains(kid))
        {
            return (SigningKeyLookup.Found, keys);
        }

        if (looked)
        {
            lock (_gate)
            {
                Remember(kid, _time.GetUtcNow());
            }
        }

        return (SigningKeyLookup.Unknown, keys);
    }

    private async ValueTask<SigningKeySnapshot?> AwaitAsync(Task refresh, CancellationToken cancellationToken)
    {
        await refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        return Current;
    }

    private Task<bool>? TryStartRoutineFetch(DateTimeOffset now)
    {
        TaskCompletionSource<bool> started;
        long number;
        lock (_gate)
        {
            if (_fetch is not null)
            {
                return _fetch;
            }

            if (now - _lastAttempt < _minimumInterval)
            {
                return null;
            }

            (started, number) = BeginFetch(now);
        }

        _ = FetchAsync(number, started);
        return started.Task;
    }

    // Called under the lock; the caller starts FetchAsync after leaving it.
    private (TaskCompletionSource<bool> Completion, long Number) BeginFetch(DateTimeOffset now)
    {
        _lastAttempt = now;
        var completion = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        _fetch = completion.Task;
        return (completion, ++_fetchNumber);
    }

    // The next allowed fetch for unknown kids, shared by every request that waits for it. One fetch runs at a time,
    // so it follows any fetch still running when its time comes.
    private async Task FetchLaterAsync(TimeSpan delay, TaskCompletionSource<bool> completion)
    {
        try
        {
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, _time).ConfigureAwait(false);
            }

            while (true)
            {
                Task<bool>? running;
                TaskCompletionSource<bool>? started = null;
                long number = 0;
                lock (_gate)
                {
                    running = _fetch;
                    if (running is null)
                    {
                        _nextUnknownKeyFetch = null;
                        var now = _time.GetUtcNow();
                        _lastUnknownKeyFetch = now;
                        (started, number) = BeginFetch(now);
                    }
                }

                if (started is not null)
                {
                    Log.RefreshingForUnknownKey(_logger, Address);
                    await FetchAsync(number, started).ConfigureAwait(false);
                    completion.TrySetResult(await started.Task.ConfigureAwait(false));
                    return;
                }

                await running!.ConfigureAwait(false);
            }
        }
        finally
        {
            // Only reached without a result if something above is a bug; waiters must never hang on it.
            completion.TrySetResult(false);
        }
    }

    // Completes with whether new keys were stored.
    private async Task FetchAsync(long number, TaskCompletionSource<bool> completion)
    {
        var stored = false;
        try
        {
            // Not cancelled by any one request: the fetch is shared. The HTTP client's timeout bounds it.
            var configuration = await _retriever.GetConfigurationAsync(Address, _documents, CancellationToken.None).ConfigureAwait(false);
            var snapshot = CreateSnapshot(configuration);
            if (snapshot is not null)
            {
                Volatile.Write(ref _current, snapshot);
                stored = true;
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
                _fetch = null;

                // Every kid seen before this fetch started has now been looked for (or the look failed).
                foreach (var (kid, seenAfter) in _sightings)
                {
                    if (seenAfter < number)
                    {
                        _sightings.Remove(kid);
                    }
                }
            }

            completion.TrySetResult(stored);
        }
    }

    // Called under the lock.
    private bool IsRememberedAsUnknown(string kid, DateTimeOffset now)
    {
        if (!_unknownKeys.TryGetValue(kid, out var until))
        {
            return false;
        }

        if (now < until)
        {
            return true;
        }

        _unknownKeys.Remove(kid);
        return false;
    }

    // Called under the lock.
    private void Remember(string kid, DateTimeOffset now)
    {
        if (_unknownKeys.Count >= MaxRememberedUnknownKeys && !_unknownKeys.ContainsKey(kid))
        {
            foreach (var (known, until) in _unknownKeys)
            {
                if (until <= now)
                {
                    _unknownKeys.Remove(known);
                }
            }

            if (_unknownKeys.Count >= MaxRememberedUnknownKeys)
            {
                _unknownKeys.Clear();
            }
        }

        _unknownKeys[kid] = now + UnknownKeyMemory;
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

        [LoggerMessage(EventId = 205, Level = LogLevel.Debug, Message = "A token names a signing key not among those of {Address}; it waits {DelaySeconds} s for the next allowed fetch")]
        public static partial void WaitingForNextFetch(ILogger logger, string address, double delaySeconds);

        [LoggerMessage(EventId = 206, Level = LogLevel.Warning, Message = "The keys from {Address} have no usable signing key (RSA or EC); keeping the previous keys. Check the JWKS")]
        public static partial void NoUsableKeys(ILogger logger, string address);

        [LoggerMessage(EventId = 207, Level = LogLevel.Warning, Message = "The discovery document at {Address} names no issuer; set the issuer's Issuer setting")]
        public static partial void NoIssuer(ILogger logger, string address);

        [LoggerMessage(EventId = 209, Level = LogLevel.Debug, Message = "A token names a signing key that a recent fetch from {Address} did not have; refused without fetching again")]
        public static partial void RememberedUnknownKey(ILogger logger, string address);

        [LoggerMessage(EventId = 218, Level = LogLevel.Debug, Message = "A token names a signing key not among those of {Address}, and {MaxWaiters} requests already wait for the next fetch; answering 503 at once")]
        public static partial void TooManyWaiters(ILogger logger, string address, int maxWaiters);
    }
}
