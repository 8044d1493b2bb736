using FunctionsGateway.Configuration;
using FunctionsGateway.Routing;
using FunctionsGateway.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FunctionsGateway.Health;

/// <summary>
/// Active health checks, run by the timer (<c>HealthProbeSchedule</c>): every enabled backend of the Backends table with a
/// <c>HealthPath</c> gets <c>GET {Url}{HealthPath}</c>, all in parallel, each within its own timeout, through the same
/// connection handler (and connect guard) as forwarded requests; 2xx is a success. Each verdict (after the thresholds,
/// counted from the previous row) is written to its <c>BackendHealth</c> row as soon as its probe ends, so a hanging
/// backend delays nobody's row but its own; rows of backends no longer probed are removed.
/// </summary>
public sealed partial class HealthProber
{
    private static readonly TimeSpan SnapshotWait = TimeSpan.FromSeconds(10);

    private readonly GatewaySnapshotProvider _snapshots;
    private readonly IBackendHealthStore _store;
    private readonly BackendStateRegistry _states;
    private readonly HttpMessageInvoker _invoker;
    private readonly HealthOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _timeout;
    private readonly TimeSpan _staleAfter;

    internal HealthProber(
        GatewaySnapshotProvider snapshots,
        IBackendHealthStore store,
        BackendStateRegistry states,
        HttpMessageInvoker invoker,
        IOptions<GatewayOptions> options,
        TimeProvider time,
        ILogger<HealthProber> logger)
    {
        _snapshots = snapshots;
        _store = store;
        _states = states;
        _invoker = invoker;
        _options = options.Value.Health;
        _time = time;
        _logger = logger;
        _timeout = TimeSpan.FromSeconds(_options.ProbeTimeoutSeconds);
        _staleAfter = TimeSpan.FromSeconds(_options.StaleAfterSeconds);
    }

    /// <summary>Probes every backend once and writes the rows; returns how many backends were probed. Never throws for a backend's or storage's failure.</summary>
    public async Task<int> ProbeAsync(CancellationToken cancellationToken)
    {
        if (!await _snapshots.WaitForFirstLoadAsync(SnapshotWait, _time, cancellationToken).ConfigureAwait(false))
        {
            Log.RoutesNotLoaded(_logger);
            return 0;
        }

        var backends = _snapshots.Current.BackendsById.Values.Where(b => b.Enabled && b.HealthPath is not null).ToList();
        var previous = await ReadPreviousAsync(cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(backends.Select(backend =>
            ProbeAndWriteAsync(backend, Fresh(previous.GetValueOrDefault((backend.Id.PartitionKey, backend.Id.RowKey))), cancellationToken))).ConfigureAwait(false);

        var probed = backends.Select(b => (b.Id.PartitionKey, b.Id.RowKey)).ToHashSet();
        foreach (var (pool, backend) in previous.Keys.Where(key => !probed.Contains(key)))
        {
            await StoreAsync(() => _store.DeleteAsync(pool, backend, cancellationToken), pool, backend).ConfigureAwait(false);
        }

        Log.Probed(_logger, backends.Count);
        return backends.Count;
    }

    private async Task<IReadOnlyDictionary<(string Pool, string Backend), BackendHealthReport?>> ReadPreviousAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _store.ReadAllAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StorageFailure.Is(ex, cancellationToken))
        {
            // Probing goes on: this instance still learns the verdicts, and the counts start afresh.
            Log.StorageFailed(_logger, "read", StorageErrorText.Describe(ex));
            return new Dictionary<(string, string), BackendHealthReport?>();
        }
    }

    // A stale row's counts describe a backend long ago; the next verdict starts from nothing, as for a new backend.
    private BackendHealthReport? Fresh(BackendHealthReport? previous) =>
        previous is not null && _time.GetUtcNow() - previous.CheckedAt <= _staleAfter ? previous : null;

    private async Task ProbeAndWriteAsync(BackendDefinition backend, BackendHealthReport? previous, CancellationToken cancellationToken)
    {
        var checkedAt = _time.GetUtcNow();
        var (succeeded, latencyMs, error) = await ProbeOneAsync(backend, cancellationToken).ConfigureAwait(false);
        var report = HealthThresholds.Next(previous, succeeded, _options, checkedAt, latencyMs, error);
        _states.Get(backend).Apply(report);
        var before = previous?.Status ?? BackendHealthStatus.Unknown;
        if (report.Status != before)
        {
            Log.StatusChanged(_logger, report.Status == BackendHealthStatus.Unhealthy ? LogLevel.Warning : LogLevel.Information,
                backend.Id.Key, before, report.Status, report.LastError ?? "-");
        }

        await StoreAsync(() => _store.WriteAsync(backend.Id.PartitionKey, backend.Id.RowKey, report, cancellationToken), backend.Id.PartitionKey, backend.Id.RowKey)
            .ConfigureAwait(false);
    }

    private async Task<(bool Succeeded, double LatencyMs, string? Error)> ProbeOneAsync(BackendDefinition backend, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var started = _time.GetTimestamp();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, ProbeAddress(backend));
            request.Headers.UserAgent.ParseAdd("FunctionsGateway-HealthProbe/1.0");
            using var response = await _invoker.SendAsync(request, linked.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            return status is >= 200 and <= 299
                ? (true, Elapsed(started), null)
                : (false, Elapsed(started), $"answered {status} to GET {backend.HealthPath}");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return (false, Elapsed(started), $"no answer to GET {backend.HealthPath} within {_timeout.TotalSeconds:0} s");
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            // Connection errors quote the address, which may carry credentials.
            return (false, Elapsed(started), SecretRedactor.Redact($"GET {backend.HealthPath} failed: {Describe(ex)}"));
        }
    }

    // The handler wraps what the connect step threw (a refused address, a socket error) in a message of its own.
    private static string Describe(Exception ex)
    {
        var message = ex.Message.Split('\n')[0].Trim();
        var inner = ex.InnerException?.Message.Split('\n')[0].Trim();
        return string.IsNullOrEmpty(inner) || message.Contains(inner, StringComparison.Ordinal) ? message : $"{message} ({inner})";
    }

    /// <summary>The backend's base address followed by its health path (<c>https://host/api</c> + <c>/health</c>).</summary>
    internal static Uri ProbeAddress(BackendDefinition backend) =>
        new(backend.Url.GetLeftPart(UriPartial.Path).TrimEnd('/') + backend.HealthPath);

    private double Elapsed(long started) => Math.Round(_time.GetElapsedTime(started).TotalMilliseconds, 2);

    private async Task StoreAsync(Func<Task> write, string pool, string backend)
    {
        try
        {
            await write().ConfigureAwait(false);
        }
        catch (Exception ex) when (StorageFailure.Is(ex, CancellationToken.None))
        {
            Log.StorageFailed(_logger, $"write the row {pool}/{backend} of", StorageErrorText.Describe(ex));
        }
    }

    private static partial class Log
    {
        [LoggerMessage(500, LogLevel.Debug, "Health probes done: {Count} backends probed.")]
        public static partial void Probed(ILogger logger, int count);

        [LoggerMessage(EventId = 501, Message = "Backend {Backend} is now {Status} (was {Previous}). {Error}")]
        public static partial void StatusChanged(ILogger logger, LogLevel level, string backend, BackendHealthStatus previous, BackendHealthStatus status, string error);

        [LoggerMessage(502, LogLevel.Warning, "Could not {Action} the BackendHealth table: {Reason}. Probing goes on; other instances see the verdict once a write succeeds.")]
        public static partial void StorageFailed(ILogger logger, string action, string reason);

        [LoggerMessage(503, LogLevel.Warning, "Health probes skipped: the routing tables have not been loaded yet.")]
        public static partial void RoutesNotLoaded(ILogger logger);
    }
}
