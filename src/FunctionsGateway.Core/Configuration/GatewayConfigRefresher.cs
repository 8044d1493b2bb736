using System.Collections.Immutable;
using Azure;
using Azure.Data.Tables;
using FunctionsGateway.Authentication;
using FunctionsGateway.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FunctionsGateway.Configuration;

/// <summary>
/// Reads the Routes and Backends tables in the background, every refresh interval, and publishes a new
/// snapshot when a row changed. Start-up never waits for it (Flex Consumption allows 30 s of init);
/// when storage cannot be read, the last snapshot keeps serving and the failure is reported.
/// </summary>
internal sealed partial class GatewayConfigRefresher : BackgroundService
{
    private readonly GatewayTables _tables;
    private readonly GatewaySnapshotProvider _provider;
    private readonly LastValidRowStore _lastValidRows;
    private readonly TimeProvider _time;
    private readonly ILogger<GatewayConfigRefresher> _logger;
    private readonly TimeSpan _interval;
    private readonly IReadOnlyList<string> _trustedAudiences;
    private readonly bool _allowLinkLocalBackends;
    private readonly bool _jwtIssuerConfigured;
    private string _fingerprint = string.Empty;
    private ImmutableHashSet<string> _reportedProblems = [];
    private ConfigLoadState _state = ConfigLoadState.NotStarted;

    public GatewayConfigRefresher(
        GatewayTables tables,
        GatewaySnapshotProvider provider,
        LastValidRowStore lastValidRows,
        IOptions<GatewayOptions> options,
        IOptions<AuthenticationOptions> authentication,
        TimeProvider time,
        ILogger<GatewayConfigRefresher> logger)
    {
        _tables = tables;
        _provider = provider;
        _lastValidRows = lastValidRows;
        _time = time;
        _logger = logger;
        _interval = TimeSpan.FromSeconds(options.Value.Configuration.RefreshIntervalSeconds);
        _trustedAudiences = RouteSetValidator.TrustedAudiences(authentication.Value);
        _allowLinkLocalBackends = options.Value.Forwarding.AllowLinkLocalBackends;
        _jwtIssuerConfigured = authentication.Value.Issuers.Count > 0;
    }

    public ConfigLoadState State => Volatile.Read(ref _state);

    /// <summary>The shared last valid versions, for the status listing.</summary>
    public LastValidRowStore LastValidRows => _lastValidRows;

    /// <summary>Reads the tables once and publishes a snapshot if anything changed. Never throws for storage failures.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var attemptAt = _time.GetUtcNow();
        try
        {
            var routeRows = await ReadAllAsync(_tables.Routes, cancellationToken).ConfigureAwait(false);
            var backendRows = await ReadAllAsync(_tables.Backends, cancellationToken).ConfigureAwait(false);
            var copies = await _lastValidRows.ReadAsync(cancellationToken).ConfigureAwait(false);
            var fingerprint = Fingerprint(routeRows, backendRows, copies);
            if (fingerprint != _fingerprint || !_provider.IsLoaded)
            {
                var snapshot = GatewaySnapshotBuilder.Build(
                    _tables.Names.Routes, routeRows, _tables.Names.Backends, backendRows, _provider.Current, attemptAt, _trustedAudiences, _allowLinkLocalBackends, _jwtIssuerConfigured, copies);
                _provider.Publish(snapshot);

                // The copies this instance wrote need no rebuild; a write that failed or lost a race gets one next time.
                _fingerprint = copies is null ? fingerprint
                    : await _lastValidRows.ApplyAsync(copies, cancellationToken).ConfigureAwait(false) ? Fingerprint(routeRows, backendRows, copies) : string.Empty;
                ReportProblems(snapshot);
                Log.SnapshotLoaded(_logger, snapshot.RoutesById.Count, snapshot.Pools.Count, snapshot.Problems.Length);
            }

            if (State.LastError is not null)
            {
                Log.StorageRecovered(_logger, _tables.AccountName);
            }

            Volatile.Write(ref _state, new ConfigLoadState(attemptAt, attemptAt, null));
        }
        catch (Exception ex) when (ex is RequestFailedException or AggregateException or IOException or TimeoutException or OperationCanceledException
                                   && !cancellationToken.IsCancellationRequested)
        {
            var reason = Describe(ex);

            // Once per outage (and again if the reason changes), in one line: the exception's own text repeats the
            // SDK's retry advice and every attempt's response; it is kept for Debug.
            if (reason != State.LastError)
            {
                Log.StorageUnreachable(_logger, _tables.AccountName, reason);
            }

            Log.StorageFailureDetail(_logger, ex);
            Volatile.Write(ref _state, State with { LastAttemptAt = attemptAt, LastError = reason });
            _provider.ReportFailedAttempt();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_interval, _time);
        do
        {
            try
            {
                await RefreshAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // A bug in building must not stop the loop: the last snapshot keeps serving.
                Log.RefreshFailed(_logger, ex);
                Volatile.Write(ref _state, State with { LastAttemptAt = _time.GetUtcNow(), LastError = "internal error while building the snapshot: " + ex.Message });
                _provider.ReportFailedAttempt();
            }
        }
        while (await WaitAsync(timer, stoppingToken).ConfigureAwait(false));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task<List<TableEntity>> ReadAllAsync(TableClient table, CancellationToken cancellationToken)
    {
        var rows = new List<TableEntity>();
        await foreach (var entity in table.QueryAsync<TableEntity>(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            rows.Add(entity);
        }

        return rows;
    }

    // Rows are identified by keys and ETag: a change to any row, an added or a deleted row changes it. So does a change
    // of the copies, or their becoming readable again.
    private static string Fingerprint(List<TableEntity> routes, List<TableEntity> backends, LastValidCopies? copies) =>
        string.Join('\n', routes.Concat(backends).Select(e => $"{e.PartitionKey}\u001f{e.RowKey}\u001f{e.ETag}"))
        + $"\n{routes.Count}/{backends.Count}\n" + (copies?.Fingerprint ?? "no copies");

    // Storage messages quote request URLs, which carry a SAS signature when the connection string holds one.
    private static string Describe(Exception ex) => StorageErrorText.Innermost(ex) switch
    {
        RequestFailedException { Status: 404 } r when r.ErrorCode == "TableNotFound" =>
            "a table does not exist; create the Routes and Backends tables (azd provision does), or check Gateway__Tables__* settings",
        RequestFailedException { Status: 403 } =>
            "access denied; grant the gateway's identity the Storage Table Data Contributor role on the account",
        _ => StorageErrorText.Describe(ex),
    };

    private void ReportProblems(GatewaySnapshot snapshot)
    {
        // Each problem is logged once, when it appears, not on every refresh.
        var current = snapshot.Problems.Select(p => p.ToString()).ToImmutableHashSet();
        foreach (var problem in snapshot.Problems)
        {
            var text = problem.ToString();
            if (!_reportedProblems.Contains(text))
            {
                Log.RowProblem(_logger, problem.Severity, text);
            }
        }

        _reportedProblems = current;
    }

    private static partial class Log
    {
        [LoggerMessage(100, LogLevel.Information, "Routes loaded: {RouteCount} routes, {PoolCount} pools, {ProblemCount} problems.")]
        public static partial void SnapshotLoaded(ILogger logger, int routeCount, int poolCount, int problemCount);

        [LoggerMessage(101, LogLevel.Warning, "Configuration {Severity}: {Problem}")]
        public static partial void RowProblem(ILogger logger, ProblemSeverity severity, string problem);

        [LoggerMessage(102, LogLevel.Warning, "Could not read the routing tables of storage account '{Account}': {Reason}. The last loaded routes keep serving.")]
        public static partial void StorageUnreachable(ILogger logger, string account, string reason);

        [LoggerMessage(103, LogLevel.Information, "The routing tables of storage account '{Account}' can be read again.")]
        public static partial void StorageRecovered(ILogger logger, string account);

        [LoggerMessage(105, LogLevel.Debug, "Reading the routing tables failed.")]
        public static partial void StorageFailureDetail(ILogger logger, Exception exception);

        [LoggerMessage(104, LogLevel.Error, "Building the routing snapshot failed; the last loaded routes keep serving.")]
        public static partial void RefreshFailed(ILogger logger, Exception exception);
    }
}
