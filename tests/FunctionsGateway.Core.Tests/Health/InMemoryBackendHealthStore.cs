using System.Collections.Concurrent;
using Azure;
using FunctionsGateway.Health;

namespace FunctionsGateway.Core.Tests.Health;

/// <summary>The BackendHealth table in memory; reads can be made to fail as storage would.</summary>
internal sealed class InMemoryBackendHealthStore : IBackendHealthStore
{
    public ConcurrentDictionary<(string Pool, string Backend), BackendHealthReport?> Rows { get; } = new();

    public ConcurrentQueue<(string Pool, string Backend)> Deleted { get; } = new();

    public bool FailReads { get; set; }

    public Task<IReadOnlyDictionary<(string Pool, string Backend), BackendHealthReport?>> ReadAllAsync(CancellationToken cancellationToken) =>
        FailReads
            ? Task.FromException<IReadOnlyDictionary<(string Pool, string Backend), BackendHealthReport?>>(new RequestFailedException(503, "Server busy"))
            : Task.FromResult<IReadOnlyDictionary<(string Pool, string Backend), BackendHealthReport?>>(new Dictionary<(string, string), BackendHealthReport?>(Rows));

    public Task WriteAsync(string pool, string backend, BackendHealthReport report, CancellationToken cancellationToken)
    {
        Rows[(pool, backend)] = report;
        return Task.CompletedTask;
    }

    public Task DeleteAsync(string pool, string backend, CancellationToken cancellationToken)
    {
        Rows.TryRemove((pool, backend), out _);
        Deleted.Enqueue((pool, backend));
        return Task.CompletedTask;
    }
}
