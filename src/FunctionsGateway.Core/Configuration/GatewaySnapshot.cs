using System.Collections.Frozen;
using System.Collections.Immutable;
using FunctionsGateway.Routing;

namespace FunctionsGateway.Configuration;

/// <summary>
/// Everything the request path needs from the tables, immutable: built in the background and swapped
/// in whole, so a request sees one consistent version and never waits on storage.
/// </summary>
internal sealed class GatewaySnapshot
{
    public GatewaySnapshot(
        IReadOnlyDictionary<RowId, ValidatedRoute> routes,
        IReadOnlyDictionary<RowId, BackendDefinition> backends,
        IReadOnlyDictionary<string, PoolDefinition> pools,
        ImmutableArray<ConfigProblem> problems,
        DateTimeOffset loadedAt,
        RouteMatcher? matcher = null)
    {
        RoutesById = routes.ToFrozenDictionary();
        BackendsById = backends.ToFrozenDictionary();
        Pools = pools.ToFrozenDictionary(StringComparer.Ordinal);
        Problems = problems;
        LoadedAt = loadedAt;
        // The builder passes the matcher it built to find the routes' warnings; it holds the same routes.
        Matcher = matcher ?? new RouteMatcher(RoutesById.Values.Select(r => r.Route));
    }

    /// <summary>The snapshot before the first load: no routes.</summary>
    public static GatewaySnapshot Empty { get; } = new(
        new Dictionary<RowId, ValidatedRoute>(), new Dictionary<RowId, BackendDefinition>(),
        new Dictionary<string, PoolDefinition>(), [], DateTimeOffset.MinValue);

    public RouteMatcher Matcher { get; }

    /// <summary>Served routes by row, including invalid rows' last valid versions.</summary>
    public FrozenDictionary<RowId, ValidatedRoute> RoutesById { get; }

    /// <summary>Valid backends by row, including invalid rows' last valid versions.</summary>
    public FrozenDictionary<RowId, BackendDefinition> BackendsById { get; }

    /// <summary>Pools by name, including the one-backend pools of routes' <c>Backend</c> shorthand.</summary>
    public FrozenDictionary<string, PoolDefinition> Pools { get; }

    public ImmutableArray<ConfigProblem> Problems { get; }

    public DateTimeOffset LoadedAt { get; }
}
