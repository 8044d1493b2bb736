using FunctionsGateway.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FunctionsGateway.Health;

/// <summary>
/// Reads the <c>BackendHealth</c> rows every <c>RowRefreshIntervalSeconds</c> on every instance and hands them to the
/// <see cref="BackendStateRegistry"/>. Apart from the Routes and Backends refresh on purpose: a probe result changes a
/// backend's state, never the snapshot, so it never costs a matcher rebuild. While the table cannot be read the last
/// verdicts stay until they grow stale.
/// </summary>
internal sealed partial class BackendHealthReader : BackgroundService
{
    private readonly IBackendHealthStore _store;
    private readonly BackendStateRegistry _states;
    private readonly TimeProvider _time;
    private readonly ILogger<BackendHealthReader> _logger;
    private readonly TimeSpan _interval;
    private bool _failing;

    public BackendHealthReader(
        IBackendHealthStore store, BackendStateRegistry states, IOptions<GatewayOptions> options, TimeProvider time, ILogger<BackendHealthReader> logger)
    {
        _store = store;
        _states = states;
        _time = time;
        _logger = logger;
        _interval = TimeSpan.FromSeconds(options.Value.Health.RowRefreshIntervalSeconds);
    }

    /// <summary>Reads the rows once and applies them. Never throws for storage failures; true when the rows were read.</summary>
    public async Task<bool> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            _states.Apply(await _store.ReadAllAsync(cancellationToken).ConfigureAwait(false));
            if (_failing)
            {
                Log.Recovered(_logger);
                _failing = false;
            }

            return true;
        }
        catch (Exception ex) when (StorageFailure.Is(ex, cancellationToken))
        {
            if (!_failing)
            {
                Log.Unreadable(_logger, StorageErrorText.Describe(ex));
                _failing = true;
            }

            return false;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_interval, _time);
        try
        {
            do
            {
                await ReadAsync(stoppingToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(510, LogLevel.Warning, "Could not read the BackendHealth table: {Reason}. The last verdicts stay until they are stale, then backends count as unknown.")]
        public static partial void Unreadable(ILogger logger, string reason);

        [LoggerMessage(511, LogLevel.Information, "The BackendHealth table can be read again.")]
        public static partial void Recovered(ILogger logger);
    }
}
