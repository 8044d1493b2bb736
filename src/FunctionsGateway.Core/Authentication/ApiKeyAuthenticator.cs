using System.Collections.Concurrent;
using FunctionsGateway.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FunctionsGateway.Authentication;

/// <summary>
/// Checks API keys against the <c>ApiKeys</c> table through caches: a key row read from storage
/// is reused for <see cref="AuthenticationOptions.ApiKeyCacheSeconds"/>, an unknown key is
/// remembered for <see cref="AuthenticationOptions.ApiKeyNegativeCacheSeconds"/>, concurrent
/// requests with the same key share one lookup, at most
/// <see cref="AuthenticationOptions.MaxConcurrentApiKeyLookups"/> lookups run at once and at most
/// <see cref="AuthenticationOptions.MaxQueuedApiKeyLookups"/> lookups of new keys wait for a slot. A key whose row
/// is due for a refresh is served from memory for up to <see cref="AuthenticationOptions.ApiKeyStaleSeconds"/> more
/// while it is read again in the background, so slow or unreachable storage never holds its requests. Unknown,
/// disabled, expired and malformed keys and invalid rows all get the same answer; the log says which.
/// </summary>
/// <remarks>
/// A waiting request that is cancelled leaves its lookup; a lookup that nobody waits for any more is dropped
/// before it reaches storage. Once sent, a lookup runs to its end (the table client's timeout bounds it) and
/// fills the cache for whoever asks next. Keys whose row is in memory but due for a refresh queue in a lane of
/// their own, served first and not bounded by the queue length (the cache size bounds them), so a flood of
/// random keys cannot keep real consumers from being refreshed.
/// </remarks>
internal sealed partial class ApiKeyAuthenticator
{
    // A full queue drains in well under a second at the default settings; a storage outage takes longer.
    private static readonly TimeSpan QueueFullRetryAfter = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan StoreUnavailableRetryAfter = TimeSpan.FromSeconds(5);

    private const string InvalidKeyDescription = "The API key is not valid";

    private static readonly AuthResult Rejected =
        AuthResult.Failed(AuthMethod.ApiKey, AuthFailureReason.ApiKeyInvalid, InvalidKeyDescription);

    private static readonly AuthResult StoreUnavailable =
        AuthResult.Unavailable(AuthMethod.ApiKey, AuthFailureReason.KeyStoreUnavailable, "The API key could not be checked; try again later", StoreUnavailableRetryAfter);

    private static readonly AuthResult QueueFull =
        AuthResult.Unavailable(AuthMethod.ApiKey, AuthFailureReason.KeyLookupQueueFull, "Too many API keys are waiting to be checked; try again later", QueueFullRetryAfter);

    private readonly IApiKeyLookup _lookup;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _ttl;
    private readonly TimeSpan _staleFor;
    private readonly TimeSpan _negativeTtl;
    private readonly int _maxEntries;
    private readonly int _maxNegativeEntries;
    private readonly int _maxRunning;
    private readonly int _maxQueued;
    private readonly ConcurrentDictionary<string, CacheEntry> _known = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _unknown = new(StringComparer.Ordinal);

    // The lookups in flight or waiting, by hash, and the two waiting lanes; all guarded by _lookupLock, which
    // only cache misses take.
    private readonly Lock _lookupLock = new();
    private readonly Dictionary<string, PendingLookup> _pending = new(StringComparer.Ordinal);
    private readonly LinkedList<PendingLookup> _waitingRefreshes = new();
    private readonly LinkedList<PendingLookup> _waitingNewKeys = new();
    private int _running;
    private bool _queueFullReported;
    private readonly ConcurrentDictionary<string, CacheEntry>.AlternateLookup<ReadOnlySpan<char>> _knownBySpan;
    private readonly ConcurrentDictionary<string, DateTimeOffset>.AlternateLookup<ReadOnlySpan<char>> _unknownBySpan;

    public ApiKeyAuthenticator(
        IApiKeyLookup lookup,
        IOptions<AuthenticationOptions> options,
        TimeProvider time,
        ILogger<ApiKeyAuthenticator> logger)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        var settings = options.Value;
        _lookup = lookup;
        _time = time;
        _logger = logger;
        _ttl = TimeSpan.FromSeconds(settings.ApiKeyCacheSeconds);
        _staleFor = TimeSpan.FromSeconds(settings.ApiKeyStaleSeconds);
        _negativeTtl = TimeSpan.FromSeconds(settings.ApiKeyNegativeCacheSeconds);
        _maxEntries = settings.ApiKeyCacheSize;
        _maxNegativeEntries = settings.ApiKeyNegativeCacheSize;
        _maxRunning = settings.MaxConcurrentApiKeyLookups;
        _maxQueued = settings.MaxQueuedApiKeyLookups;
        _knownBySpan = _known.GetAlternateLookup<ReadOnlySpan<char>>();
        _unknownBySpan = _unknown.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>
    /// Checks a presented key. A cache hit completes synchronously without allocating.
    /// </summary>
    /// <param name="key">The value of the API-key header.</param>
    /// <param name="cancellationToken">The request's cancellation.</param>
    /// <returns>
    /// Succeeded with the consumer; Failed (<see cref="AuthFailureReason.ApiKeyInvalid"/>) for any
    /// key that is not accepted; Unavailable when storage could not be read and the key was not
    /// seen before, or when too many lookups are already waiting.
    /// </returns>
    public ValueTask<AuthResult> AuthenticateAsync(string key, CancellationToken cancellationToken) =>
        AuthenticateAsync(key, TimeSpan.Zero, cancellationToken);

    /// <summary>
    /// Checks a presented key from a caller that may be throttled (<see cref="FailedAuthThrottle"/>).
    /// </summary>
    /// <param name="key">The value of the API-key header.</param>
    /// <param name="throttledFor">
    /// How long the caller's address stays throttled, or zero. While it is, only keys whose row is in memory
    /// (fresh, or due for a refresh) are checked; any other key is answered
    /// <see cref="AuthOutcome.Throttled"/> without being looked at.
    /// </param>
    /// <param name="cancellationToken">The request's cancellation; it also ends a wait for a lookup slot.</param>
    /// <returns>As <see cref="AuthenticateAsync(string, CancellationToken)"/>, or Throttled.</returns>
    public ValueTask<AuthResult> AuthenticateAsync(string key, TimeSpan throttledFor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!IsPlausible(key, out var why))
        {
            if (throttledFor > TimeSpan.Zero)
            {
                return ValueTask.FromResult(AuthResult.Throttled(AuthMethod.ApiKey, throttledFor));
            }

            Log.KeyMalformed(_logger, why);
            return ValueTask.FromResult(Rejected);
        }

        Span<char> hash = stackalloc char[ApiKeyHasher.HashLength];
        ApiKeyHasher.Hash(key, hash);
        var now = _time.GetUtcNow();

        _knownBySpan.TryGetValue(hash, out var entry);
        if (entry is not null && entry.FreshUntil > now)
        {
            return ValueTask.FromResult(Evaluate(entry, now));
        }

        if (entry is not null && entry.FreshUntil + _staleFor > now)
        {
            if (entry.TryClaimRefresh(now, StoreUnavailableRetryAfter))
            {
                RefreshInBackground(new string(hash), entry);
            }

            return ValueTask.FromResult(Evaluate(entry, now));
        }

        if (entry is null && throttledFor > TimeSpan.Zero)
        {
            return ValueTask.FromResult(AuthResult.Throttled(AuthMethod.ApiKey, throttledFor));
        }

        if (entry is null && _unknownBySpan.TryGetValue(hash, out var unknownUntil) && unknownUntil > now)
        {
            Log.Rejected(_logger, hash, "unknown (cached)");
            return ValueTask.FromResult(Rejected);
        }

        // Past the stale time the last known row is not served any more, even if storage cannot be read.
        return LookUpAsync(new string(hash), isRefresh: entry is not null, cancellationToken);
    }

    /// <summary>
    /// Reads a stale key's row again without anyone waiting: the refresh lane, shared with a lookup of the same key
    /// already under way. A success replaces the entry (or removes it); a failure leaves it to serve until its stale
    /// time ends, and the next request after <see cref="StoreUnavailableRetryAfter"/> tries again.
    /// </summary>
    private void RefreshInBackground(string hash, CacheEntry stale)
    {
        var lookup = JoinOrQueue(hash, isRefresh: true, out var start, out _)!;
        if (start)
        {
            _ = RunLookupsAsync(lookup);
        }

        _ = ReportFailedRefreshAsync(lookup, stale);
    }

    private async Task ReportFailedRefreshAsync(PendingLookup lookup, CacheEntry stale)
    {
        try
        {
            await lookup.Completion.Task.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.ServingStaleKey(_logger, stale.HashPrefix, StorageErrorText.Describe(ex), stale.FreshUntil + _staleFor);
        }
    }

    private async ValueTask<AuthResult> LookUpAsync(string hash, bool isRefresh, CancellationToken cancellationToken)
    {
        var lookup = JoinOrQueue(hash, isRefresh, out var start, out var reportQueueFull);
        if (lookup is null)
        {
            if (reportQueueFull)
            {
                Log.QueueFull(_logger, _maxQueued);
            }

            Log.QueueFullRefused(_logger);
            return QueueFull;
        }

        if (start)
        {
            _ = RunLookupsAsync(lookup);
        }

        CacheEntry? entry;
        try
        {
            entry = await lookup.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Leave(lookup);
            throw;
        }
        catch (Exception ex)
        {
            Log.LookupFailed(_logger, ApiKeyHasher.Prefix(hash), StorageErrorText.Describe(ex));
            return StoreUnavailable;
        }

        if (entry is null)
        {
            Log.Rejected(_logger, hash, "unknown");
            return Rejected;
        }

        return Evaluate(entry, _time.GetUtcNow());
    }

    /// <summary>
    /// Joins the lookup of <paramref name="hash"/> already in flight or waiting, or starts one when a slot is
    /// free, or queues one; null when a new key finds the queue full.
    /// </summary>
    private PendingLookup? JoinOrQueue(string hash, bool isRefresh, out bool start, out bool reportQueueFull)
    {
        start = false;
        reportQueueFull = false;
        lock (_lookupLock)
        {
            if (_pending.TryGetValue(hash, out var existing))
            {
                existing.Waiters++;
                return existing;
            }

            var lookup = new PendingLookup(hash);
            if (_running < _maxRunning)
            {
                _running++;
                start = true;
            }
            else if (isRefresh)
            {
                lookup.Place = _waitingRefreshes.AddLast(lookup);
            }
            else if (_waitingNewKeys.Count < _maxQueued)
            {
                lookup.Place = _waitingNewKeys.AddLast(lookup);
            }
            else
            {
                reportQueueFull = !_queueFullReported;
                _queueFullReported = true;
                return null;
            }

            _pending.Add(hash, lookup);
            return lookup;
        }
    }

    /// <summary>A waiting request went away: drop its lookup if nobody else waits and it has not started.</summary>
    private void Leave(PendingLookup lookup)
    {
        lock (_lookupLock)
        {
            lookup.Waiters--;
            if (lookup.Waiters > 0 || lookup.Place is null)
            {
                return;
            }

            lookup.Place.List!.Remove(lookup.Place);
            lookup.Place = null;
            _pending.Remove(lookup.Hash);
        }

        lookup.Completion.TrySetCanceled();
        if (_logger.IsEnabled(LogLevel.Debug))
        {
#pragma warning disable CA1873 // Guarded by IsEnabled just above.
            Log.LookupAbandoned(_logger, ApiKeyHasher.Prefix(lookup.Hash));
#pragma warning restore CA1873
        }
    }

    /// <summary>
    /// Runs <paramref name="first"/> in the slot it was given, then whatever waits next in that slot, until
    /// nothing waits: a slot is a loop, so a long queue never deepens the stack.
    /// </summary>
    private async Task RunLookupsAsync(PendingLookup first)
    {
        for (var lookup = first; lookup is not null; lookup = FinishAndTakeNext(lookup))
        {
            await RunLookupAsync(lookup.Hash, lookup.Completion).ConfigureAwait(false);
        }
    }

    private PendingLookup? FinishAndTakeNext(PendingLookup finished)
    {
        lock (_lookupLock)
        {
            _pending.Remove(finished.Hash);
            var next = _waitingRefreshes.First ?? _waitingNewKeys.First;
            if (next is null)
            {
                _running--;
                _queueFullReported = false;
                return null;
            }

            next.List!.Remove(next);
            next.Value.Place = null;
            return next.Value;
        }
    }

    private async Task RunLookupAsync(string hash, TaskCompletionSource<CacheEntry?> completion)
    {
        try
        {
            // The lookup is shared by every request waiting for this key, so no single request's
            // cancellation stops it; the table client's own timeout bounds it.
            var record = await _lookup.FindAsync(hash, CancellationToken.None).ConfigureAwait(false);
            var now = _time.GetUtcNow();
            if (record is null)
            {
                _known.TryRemove(hash, out _);
                AddBounded(_unknown, hash, now + _negativeTtl, _maxNegativeEntries, now, static until => until);
                completion.TrySetResult(null);
                return;
            }

            if (!record.IsValid)
            {
                Log.RowInvalid(_logger, ApiKeyHasher.Prefix(hash), record.InvalidColumn!, record.Problem ?? "cannot be read");
            }

            var entry = new CacheEntry(record, now + _ttl);
            _unknown.TryRemove(hash, out _);
            AddBounded(_known, hash, entry, _maxEntries, now, static e => e.FreshUntil);
            completion.TrySetResult(entry);
        }
        catch (Exception ex)
        {
            // The storage seam is a boundary: whatever it throws, every waiter gets it and answers
            // "unavailable" (or serves a stale entry); nothing is cached.
            completion.TrySetException(ex);
        }
    }

    private AuthResult Evaluate(CacheEntry entry, DateTimeOffset now)
    {
        var record = entry.Record;
        if (!record.IsValid)
        {
            Log.KeyRejected(_logger, entry.HashPrefix, "its row is invalid (see warning 212)");
            return Rejected;
        }

        if (!record.Enabled)
        {
            Log.KeyRejected(_logger, entry.HashPrefix, "disabled");
            return Rejected;
        }

        if (record.ExpiresAt is { } expiresAt && expiresAt <= now)
        {
            Log.KeyRejected(_logger, entry.HashPrefix, "expired");
            return Rejected;
        }

        return entry.Success!;
    }

    private static void AddBounded<T>(
        ConcurrentDictionary<string, T> cache,
        string hash,
        T value,
        int max,
        DateTimeOffset now,
        Func<T, DateTimeOffset> expiry)
    {
        if (!cache.ContainsKey(hash) && cache.Count >= max)
        {
            // Full: drop what has expired, and if that is not enough, everything. Clearing is rare
            // (it takes `max` new keys to fill again) and keeps memory bounded under a flood.
            foreach (var item in cache)
            {
                if (expiry(item.Value) <= now)
                {
                    cache.TryRemove(item);
                }
            }

            if (cache.Count >= max)
            {
                cache.Clear();
            }
        }

        cache[hash] = value;
    }

    private static bool IsPlausible(string key, out string why)
    {
        why = string.Empty;
        if (key.Length is < 16 or > ApiKeyHasher.MaxKeyLength)
        {
            why = $"length {key.Length} is outside 16 to {ApiKeyHasher.MaxKeyLength}";
            return false;
        }

        foreach (var c in key)
        {
            if (c is < '\x21' or > '\x7e')
            {
                why = "it contains spaces, control or non-ASCII characters";
                return false;
            }
        }

        if (ApiKeyFactory.HasPrefix(key) && !ApiKeyFactory.HasValidCheck(key))
        {
            why = $"it starts with '{ApiKeyFactory.Prefix}' but its length or check characters are wrong (mistyped or invented)";
            return false;
        }

        return true;
    }

    /// <summary>One key's lookup, shared by every request that waits for it.</summary>
    private sealed class PendingLookup(string hash)
    {
        public string Hash { get; } = hash;

        public TaskCompletionSource<CacheEntry?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The requests waiting for it; counted down only by those that leave before it starts.</summary>
        public int Waiters { get; set; } = 1;

        /// <summary>Its place in a waiting lane; null once it has started (or was dropped).</summary>
        public LinkedListNode<PendingLookup>? Place { get; set; }
    }

    private sealed class CacheEntry
    {
        public CacheEntry(ApiKeyRecord record, DateTimeOffset freshUntil)
        {
            Record = record;
            FreshUntil = freshUntil;
            HashPrefix = ApiKeyHasher.Prefix(record.Hash);
            Success = record.IsValid
                ? AuthResult.Success(GatewayIdentity.FromApiKey(record.Consumer, record.Hash, record.Plan, record.Scopes))
                : null;
        }

        public ApiKeyRecord Record { get; }

        public DateTimeOffset FreshUntil { get; }

        public string HashPrefix { get; }

        public AuthResult? Success { get; }

        // Ticks before which no new background refresh starts: one refresh at a time per entry, and after a failed
        // one a pause, so a busy key does not send a read per request to storage that is down.
        private long _refreshNotBefore;

        /// <summary>True for the one caller that should start a refresh now.</summary>
        public bool TryClaimRefresh(DateTimeOffset now, TimeSpan pause)
        {
            var notBefore = Volatile.Read(ref _refreshNotBefore);
            return now.UtcTicks >= notBefore
                && Interlocked.CompareExchange(ref _refreshNotBefore, (now + pause).UtcTicks, notBefore) == notBefore;
        }
    }

    private static partial class Log
    {
        public static void Rejected(ILogger logger, ReadOnlySpan<char> hash, string reason)
        {
            if (logger.IsEnabled(LogLevel.Debug))
            {
#pragma warning disable CA1873 // Guarded by IsEnabled just above; the string is built only when Debug is on.
                KeyRejected(logger, new string(hash[..ApiKeyHasher.PrefixLength]), reason);
#pragma warning restore CA1873
            }
        }

        [LoggerMessage(EventId = 210, Level = LogLevel.Debug, Message = "API key {KeyHashPrefix} rejected: {Reason}")]
        public static partial void KeyRejected(ILogger logger, string keyHashPrefix, string reason);

        [LoggerMessage(EventId = 211, Level = LogLevel.Debug, Message = "API key rejected without a lookup: {Reason}")]
        public static partial void KeyMalformed(ILogger logger, string reason);

        [LoggerMessage(EventId = 212, Level = LogLevel.Warning, Message = "ApiKeys row '{KeyHashPrefix}…' column '{Column}' {Problem}; the key is rejected until the row is fixed")]
        public static partial void RowInvalid(ILogger logger, string keyHashPrefix, string column, string problem);

        [LoggerMessage(EventId = 213, Level = LogLevel.Warning, Message = "API key {KeyHashPrefix} could not be looked up ({Error}); answering 503. Check the storage account and the ApiKeys table")]
        public static partial void LookupFailed(ILogger logger, string keyHashPrefix, string error);

        [LoggerMessage(EventId = 214, Level = LogLevel.Warning, Message = "API key {KeyHashPrefix} could not be looked up again ({Error}); serving its last known row until {StaleUntil:u} at the latest")]
        public static partial void ServingStaleKey(ILogger logger, string keyHashPrefix, string error, DateTimeOffset staleUntil);

        [LoggerMessage(EventId = 215, Level = LogLevel.Warning, Message = "The API-key lookup queue is full ({Queued} waiting); keys not in memory are answered 503 until it drains. A flood of random keys or slow storage; see Gateway:Authentication:MaxQueuedApiKeyLookups")]
        public static partial void QueueFull(ILogger logger, int queued);

        [LoggerMessage(EventId = 216, Level = LogLevel.Debug, Message = "API key not looked up: the lookup queue is full; answering 503")]
        public static partial void QueueFullRefused(ILogger logger);

        [LoggerMessage(EventId = 217, Level = LogLevel.Debug, Message = "API key {KeyHashPrefix}: every request waiting for its lookup went away; dropped before reaching storage")]
        public static partial void LookupAbandoned(ILogger logger, string keyHashPrefix);
    }
}
