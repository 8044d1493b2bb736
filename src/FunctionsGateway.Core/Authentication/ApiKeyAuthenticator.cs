using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FunctionsGateway.Authentication;

/// <summary>
/// Checks API keys against the <c>ApiKeys</c> table through caches: a key row read from storage
/// is reused for <see cref="AuthenticationOptions.ApiKeyCacheSeconds"/>, an unknown key is
/// remembered for <see cref="AuthenticationOptions.ApiKeyNegativeCacheSeconds"/>, concurrent
/// requests with the same key share one lookup, and at most
/// <see cref="AuthenticationOptions.MaxConcurrentApiKeyLookups"/> lookups run at once. Unknown,
/// disabled, expired and malformed keys and invalid rows all get the same answer; the log says which.
/// </summary>
internal sealed partial class ApiKeyAuthenticator : IDisposable
{
    private const string InvalidKeyDescription = "The API key is not valid";

    private static readonly AuthResult Rejected =
        AuthResult.Failed(AuthMethod.ApiKey, AuthFailureReason.ApiKeyInvalid, InvalidKeyDescription);

    private static readonly AuthResult StoreUnavailable =
        AuthResult.Unavailable(AuthMethod.ApiKey, AuthFailureReason.KeyStoreUnavailable, "The API key could not be checked; try again later");

    private readonly IApiKeyLookup _lookup;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _ttl;
    private readonly TimeSpan _negativeTtl;
    private readonly int _maxEntries;
    private readonly int _maxNegativeEntries;
    private readonly SemaphoreSlim _lookupSlots;
    private readonly ConcurrentDictionary<string, CacheEntry> _known = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _unknown = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task<CacheEntry?>> _pending = new(StringComparer.Ordinal);
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
        _negativeTtl = TimeSpan.FromSeconds(settings.ApiKeyNegativeCacheSeconds);
        _maxEntries = settings.ApiKeyCacheSize;
        _maxNegativeEntries = settings.ApiKeyNegativeCacheSize;
        _lookupSlots = new SemaphoreSlim(settings.MaxConcurrentApiKeyLookups, settings.MaxConcurrentApiKeyLookups);
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
    /// seen before.
    /// </returns>
    public ValueTask<AuthResult> AuthenticateAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!IsPlausible(key, out var why))
        {
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

        if (entry is null && _unknownBySpan.TryGetValue(hash, out var unknownUntil) && unknownUntil > now)
        {
            Log.Rejected(_logger, hash, "unknown (cached)");
            return ValueTask.FromResult(Rejected);
        }

        return LookUpAsync(new string(hash), entry, cancellationToken);
    }

    /// <inheritdoc />
    public void Dispose() => _lookupSlots.Dispose();

    private async ValueTask<AuthResult> LookUpAsync(string hash, CacheEntry? stale, CancellationToken cancellationToken)
    {
        CacheEntry? entry;
        try
        {
            entry = await GetOrStartLookup(hash).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            if (stale is not null)
            {
                // Storage is down but this key was valid moments ago: keep serving what we knew,
                // as the route table does, rather than lock out every consumer.
                Log.ServingStaleKey(_logger, stale.HashPrefix, ex.GetType().Name);
                return Evaluate(stale, _time.GetUtcNow());
            }

            Log.LookupFailed(_logger, ApiKeyHasher.Prefix(hash), ex.GetType().Name, ex.Message);
            return StoreUnavailable;
        }

        if (entry is null)
        {
            Log.Rejected(_logger, hash, "unknown");
            return Rejected;
        }

        return Evaluate(entry, _time.GetUtcNow());
    }

    private Task<CacheEntry?> GetOrStartLookup(string hash)
    {
        while (true)
        {
            if (_pending.TryGetValue(hash, out var running))
            {
                return running;
            }

            var completion = new TaskCompletionSource<CacheEntry?>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_pending.TryAdd(hash, completion.Task))
            {
                _ = RunLookupAsync(hash, completion);
                return completion.Task;
            }
        }
    }

    private async Task RunLookupAsync(string hash, TaskCompletionSource<CacheEntry?> completion)
    {
        try
        {
            // The lookup is shared by every request waiting for this key, so no single request's
            // cancellation stops it; the table client's own timeout bounds it.
            await _lookupSlots.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
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
            finally
            {
                _lookupSlots.Release();
            }
        }
        catch (Exception ex)
        {
            // The storage seam is a boundary: whatever it throws, every waiter gets it and answers
            // "unavailable" (or serves a stale entry); nothing is cached.
            completion.TrySetException(ex);
        }
        finally
        {
            _pending.TryRemove(new KeyValuePair<string, Task<CacheEntry?>>(hash, completion.Task));
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

        [LoggerMessage(EventId = 213, Level = LogLevel.Warning, Message = "API key {KeyHashPrefix} could not be looked up ({ErrorType}: {Error}); answering 503. Check the storage account and the ApiKeys table")]
        public static partial void LookupFailed(ILogger logger, string keyHashPrefix, string errorType, string error);

        [LoggerMessage(EventId = 214, Level = LogLevel.Warning, Message = "API key {KeyHashPrefix} could not be looked up again ({ErrorType}); serving its last known row")]
        public static partial void ServingStaleKey(ILogger logger, string keyHashPrefix, string errorType);
    }
}
