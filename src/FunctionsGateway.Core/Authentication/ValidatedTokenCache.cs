using System.Collections.Concurrent;

namespace FunctionsGateway.Authentication;

/// <summary>
/// Remembers tokens that passed validation, so a client that sends the same token on every request pays
/// for one signature check, not one per request (an RS256 check costs tens of microseconds; a lookup here,
/// a fraction of one). An entry lives until the earlier of the token's own expiry and
/// <see cref="AuthenticationOptions.ValidatedTokenCacheSeconds"/>, and only while the key that signed the
/// token is still among its issuer's keys: a key withdrawn by its issuer takes its tokens with it.
/// Keyed by the whole token, so only the identical token hits. Bounded: a full cache is emptied, never grown.
/// </summary>
internal sealed class ValidatedTokenCache
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly TimeSpan _lifetime;
    private readonly int _capacity;

    public ValidatedTokenCache(TimeProvider time, TimeSpan lifetime, int capacity)
    {
        _time = time;
        _lifetime = lifetime;
        _capacity = lifetime > TimeSpan.Zero ? capacity : 0;
    }

    public int Count => _entries.Count;

    /// <summary>The cached success for <paramref name="token"/>, or null when it must be validated.</summary>
    public AuthResult? Find(string token)
    {
        if (_capacity == 0 || !_entries.TryGetValue(token, out var entry))
        {
            return null;
        }

        if (_time.GetUtcNow() >= entry.ExpiresAt || !entry.KeyStillTrusted())
        {
            _entries.TryRemove(token, out _);
            return null;
        }

        return entry.Result;
    }

    /// <summary>Remembers a token that just passed validation.</summary>
    public void Add(string token, AuthResult result, DateTimeOffset tokenExpiresAt, SigningKeySource source, string? keyId)
    {
        if (_capacity == 0)
        {
            return;
        }

        if (_entries.Count >= _capacity)
        {
            // Cheaper and simpler than eviction order; a flood of distinct valid tokens only costs re-validation.
            _entries.Clear();
        }

        var expiresAt = _time.GetUtcNow() + _lifetime;
        _entries[token] = new Entry(result, tokenExpiresAt < expiresAt ? tokenExpiresAt : expiresAt, source, keyId);
    }

    private sealed record Entry(AuthResult Result, DateTimeOffset ExpiresAt, SigningKeySource Source, string? KeyId)
    {
        public bool KeyStillTrusted() =>
            KeyId is null ? Source.Current is not null : Source.Current?.KeyIds.Contains(KeyId) == true;
    }
}
