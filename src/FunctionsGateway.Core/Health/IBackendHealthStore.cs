namespace FunctionsGateway.Health;

/// <summary>Where the prober's verdicts live: the <c>BackendHealth</c> table, or a fake in tests.</summary>
internal interface IBackendHealthStore
{
    /// <summary>Every row by pool and backend; null for a row that cannot be read (it counts as no row).</summary>
    Task<IReadOnlyDictionary<(string Pool, string Backend), BackendHealthReport?>> ReadAllAsync(CancellationToken cancellationToken);

    /// <summary>Writes (replaces) one backend's row.</summary>
    Task WriteAsync(string pool, string backend, BackendHealthReport report, CancellationToken cancellationToken);

    /// <summary>Removes one backend's row; a row already gone is fine.</summary>
    Task DeleteAsync(string pool, string backend, CancellationToken cancellationToken);
}
