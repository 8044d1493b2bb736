using System.Collections.Concurrent;
using FunctionsGateway.Authentication;

namespace FunctionsGateway.Core.Tests.Authentication;

/// <summary>An in-memory <see cref="IApiKeyLookup"/> that counts calls and can fail or hold them.</summary>
internal sealed class FakeApiKeyLookup : IApiKeyLookup
{
    private readonly ConcurrentDictionary<string, ApiKeyRecord> _rows = new();
    private readonly ConcurrentQueue<string> _lookedUp = new();
    private int _calls;
    private int _running;
    private int _maxRunning;

    public int Calls => Volatile.Read(ref _calls);

    public int MaxConcurrent => Volatile.Read(ref _maxRunning);

    /// <summary>The hashes looked up, in the order the lookups began.</summary>
    public IReadOnlyList<string> LookedUp => [.. _lookedUp];

    /// <summary>When set, lookups throw it (storage down).</summary>
    public Exception? Failure { get; set; }

    /// <summary>When set, lookups wait for it to complete before answering.</summary>
    public TaskCompletionSource? Gate { get; set; }

    /// <summary>Adds a row for <paramref name="key"/> and returns its hash.</summary>
    public string Add(string key, string consumer, bool enabled = true, DateTimeOffset? expiresAt = null, string? plan = "gold", string scopes = "orders.read")
    {
        var hash = ApiKeyHasher.Hash(key);
        Assert.True(AuthPolicy.TryParseScopes(scopes, out var parsed, out var error), error);
        _rows[hash] = new ApiKeyRecord
        {
            Hash = hash,
            Consumer = consumer,
            Plan = plan,
            Scopes = parsed,
            Enabled = enabled,
            ExpiresAt = expiresAt,
        };
        return hash;
    }

    public void Put(ApiKeyRecord record) => _rows[record.Hash] = record;

    public void Remove(string key) => _rows.TryRemove(ApiKeyHasher.Hash(key), out _);

    public void Disable(string key) =>
        _rows.AddOrUpdate(ApiKeyHasher.Hash(key), _ => throw new InvalidOperationException("no such key"), (_, r) => new ApiKeyRecord
        {
            Hash = r.Hash,
            Consumer = r.Consumer,
            Plan = r.Plan,
            Scopes = r.Scopes,
            Enabled = false,
            ExpiresAt = r.ExpiresAt,
        });

    public async ValueTask<ApiKeyRecord?> FindAsync(string keyHash, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        _lookedUp.Enqueue(keyHash);
        var running = Interlocked.Increment(ref _running);
        try
        {
            int max;
            while (running > (max = Volatile.Read(ref _maxRunning)) && Interlocked.CompareExchange(ref _maxRunning, running, max) != max)
            {
            }

            if (Gate is { } gate)
            {
                await gate.Task;
            }

            if (Failure is { } failure)
            {
                throw failure;
            }

            return _rows.TryGetValue(keyHash, out var row) ? row : null;
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }
}
