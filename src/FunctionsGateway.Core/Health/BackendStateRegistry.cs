using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Diagnostics.Metrics;
using FunctionsGateway.Configuration;
using FunctionsGateway.Routing;
using FunctionsGateway.Telemetry;
using Microsoft.Extensions.Options;

namespace FunctionsGateway.Health;

/// <summary>
/// The <see cref="BackendState"/> of every backend, kept apart from the snapshots (which are rebuilt on every table
/// edit): a published snapshot adds states for new backends and drops those of backends that left the tables, and a
/// backend that stays keeps its health, latency and circuit. Also reports <c>gateway.backend.health</c>.
/// </summary>
internal sealed class BackendStateRegistry
{
    private readonly ConcurrentDictionary<RowId, BackendState> _byId = new();
    private readonly Lock _updating = new();
    private readonly GatewaySnapshotProvider? _snapshots;
    private readonly TimeProvider _time;
    private readonly TimeSpan _staleAfter;
    private readonly string _backendsTable;

    // The current snapshot's backends and pools by reference: the request path's lookups, no hashing of row keys.
    private FrozenDictionary<BackendDefinition, BackendState> _bySnapshotBackend =
        FrozenDictionary<BackendDefinition, BackendState>.Empty;

    private FrozenDictionary<PoolDefinition, BackendState[]> _bySnapshotPool =
        FrozenDictionary<PoolDefinition, BackendState[]>.Empty;

    public BackendStateRegistry(GatewaySnapshotProvider snapshots, IOptions<GatewayOptions> options, TimeProvider time, IMeterFactory? meters = null)
        : this(options, time)
    {
        _snapshots = snapshots;
        snapshots.Published += () => Update(snapshots.Current);
        Update(snapshots.Current);
        meters?.Create(GatewayTelemetry.Name).CreateObservableGauge("gateway.backend.health", Observe,
            description: "Active health of each backend as this instance sees it: 1 healthy, 0 unhealthy, -1 unknown.");
    }

    /// <summary>A registry not tied to a snapshot provider; tests call <see cref="Update"/> themselves.</summary>
    public BackendStateRegistry(IOptions<GatewayOptions> options, TimeProvider time)
    {
        _time = time;
        _staleAfter = TimeSpan.FromSeconds(options.Value.Health.StaleAfterSeconds);
        _backendsTable = options.Value.Tables.Backends;
    }

    /// <summary>Every backend's state.</summary>
    public ICollection<BackendState> States => _byId.Values;

    /// <summary>The state of the backend in row <paramref name="id"/>, or null when no pool of the snapshot has it.</summary>
    public BackendState? Find(RowId id) => _byId.TryGetValue(id, out var state) ? state : null;

    /// <summary>The state of <paramref name="backend"/>; made on first use when its snapshot has not been applied yet.</summary>
    public BackendState Get(BackendDefinition backend) =>
        _bySnapshotBackend.TryGetValue(backend, out var state) ? state : GetById(backend, backend.Id.PartitionKey);

    /// <summary>
    /// The states of <paramref name="pool"/>'s backends, in the order of <see cref="PoolDefinition.Backends"/>: one lookup
    /// for a pool of the current snapshot; a pool of another snapshot gets a new array.
    /// </summary>
    public BackendState[] Of(PoolDefinition pool)
    {
        if (_bySnapshotPool.TryGetValue(pool, out var states))
        {
            return states;
        }

        states = new BackendState[pool.Backends.Length];
        for (var i = 0; i < states.Length; i++)
        {
            states[i] = GetById(pool.Backends[i], pool.Name);
        }

        return states;
    }

    /// <summary>
    /// Adds the states of the snapshot's new backends, forgets those of backends no longer in it, and starts afresh for
    /// a backend whose address changed. Concurrent updates are serialized; the latest snapshot wins.
    /// </summary>
    public void Update(GatewaySnapshot snapshot)
    {
        lock (_updating)
        {
            // A publish racing with this one: apply the newest, which the provider holds.
            snapshot = _snapshots?.Current ?? snapshot;
            var current = new Dictionary<BackendDefinition, BackendState>(ReferenceEqualityComparer.Instance);
            var pools = new Dictionary<PoolDefinition, BackendState[]>(ReferenceEqualityComparer.Instance);
            var ids = new HashSet<RowId>();
            foreach (var pool in snapshot.Pools.Values)
            {
                var states = new BackendState[pool.Backends.Length];
                for (var i = 0; i < states.Length; i++)
                {
                    var backend = pool.Backends[i];
                    var state = GetById(backend, pool.Name);
                    if (state.Url != backend.Url)
                    {
                        state.MovedTo(backend.Url);
                    }

                    current[backend] = state;
                    states[i] = state;
                    ids.Add(backend.Id);
                }

                pools[pool] = states;
            }

            foreach (var id in _byId.Keys)
            {
                if (!ids.Contains(id))
                {
                    _byId.TryRemove(id, out _);
                }
            }

            Volatile.Write(ref _bySnapshotBackend, current.ToFrozenDictionary(ReferenceEqualityComparer.Instance));
            Volatile.Write(ref _bySnapshotPool, pools.ToFrozenDictionary(ReferenceEqualityComparer.Instance));
        }
    }

    /// <summary>Applies <c>BackendHealth</c> rows (PartitionKey pool, RowKey backend) to the backends they name; unreadable rows and rows of unknown backends are ignored.</summary>
    public void Apply(IEnumerable<KeyValuePair<(string Pool, string Backend), BackendHealthReport?>> rows)
    {
        foreach (var ((pool, backend), report) in rows)
        {
            if (report is not null && _byId.TryGetValue(new RowId(_backendsTable, pool, backend), out var state))
            {
                state.Apply(report);
            }
        }
    }

    /// <summary>The gauge's values: one per backend of the Backends table, 1 healthy, 0 unhealthy, -1 unknown, by <c>pool</c> and <c>backend</c> (<c>pool/row</c>, as in <c>gateway.requests</c>).</summary>
    public IEnumerable<Measurement<int>> Observe()
    {
        var now = _time.GetUtcNow();
        foreach (var state in _byId.Values)
        {
            if (!string.Equals(state.Id.Table, _backendsTable, StringComparison.Ordinal))
            {
                continue;
            }

            var value = state.StatusAt(now) switch
            {
                BackendHealthStatus.Healthy => 1,
                BackendHealthStatus.Unhealthy => 0,
                _ => -1,
            };
            yield return new Measurement<int>(value, new KeyValuePair<string, object?>("pool", state.Pool), new KeyValuePair<string, object?>("backend", state.Id.Key));
        }
    }

    private BackendState GetById(BackendDefinition backend, string pool) =>
        _byId.GetOrAdd(backend.Id, static (id, arg) => new BackendState(id, arg.pool, arg.backend.Url, arg.registry._time, arg.registry._staleAfter),
            (pool, backend, registry: this));
}
