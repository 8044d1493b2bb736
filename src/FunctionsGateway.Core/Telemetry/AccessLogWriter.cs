using FunctionsGateway.Authentication;
using FunctionsGateway.Pipeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FunctionsGateway.Telemetry;

/// <summary>
/// Writes the queued access log entries to the logger on a background task, so formatting the text (and whatever the
/// logger provider does with it) happens off the request thread. On stop it writes what is still queued.
/// </summary>
internal sealed partial class AccessLogWriter(AccessLog accessLog, TimeProvider time) : BackgroundService
{
    /// <summary>
    /// How long the writer lets entries gather after writing a batch. Waking this task (and the logger provider's own
    /// writer thread) for every request costs more CPU than the line itself when requests come thousands a second;
    /// a short pause turns that into one wake-up per batch while lines still appear within a fraction of a second.
    /// </summary>
    internal static readonly TimeSpan BatchInterval = TimeSpan.FromMilliseconds(50);

    // One rule for every field of the access log: a value that does not apply (no route matched, no caller
    // identified) is written "-", as in common web server logs, so fields never run together.
    private const string NoValue = "-";

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        accessLog.Complete();
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        WriteQueued();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await accessLog.Pending.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                WriteQueued();
                await Task.Delay(BatchInterval, time, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StopAsync writes what is left.
        }
    }

    private void WriteQueued()
    {
        while (accessLog.Pending.TryRead(out var entry))
        {
            Write(entry);
        }
    }

    private void Write(in AccessLogEntry entry)
    {
        var client = ClientAddress.Normalize(entry.Client);
        var traceId = entry.TraceId == default ? entry.RequestId ?? string.Empty : entry.TraceId.ToHexString();
        var identity = entry.Identity;
        Log.AccessLog(accessLog.Logger, entry.Method, entry.Path, OrDash(entry.Route), OrDash(entry.Backend), entry.Status, entry.Outcome,
            Math.Round(entry.LatencyMs, 2), client?.ToString() ?? string.Empty, traceId, OrDash(identity?.Consumer), OrDash(identity?.Subject),
            identity is null ? NoValue : IdentityHeaders.MethodName(identity.Method));
    }

    private static string OrDash(string? value) => string.IsNullOrEmpty(value) ? NoValue : value;

    private static partial class Log
    {
        // One event per request; never the query string, a token or a key.
        [LoggerMessage(700, LogLevel.Information,
            "{Method} {Path} → route {Route} backend {Backend}: {Status} {Outcome} in {LatencyMs} ms from {ClientIp} trace {TraceId} consumer {Consumer} subject {Subject} via {AuthMethod}",
            EventName = "AccessLog")]
        public static partial void AccessLog(ILogger logger, string method, string path, string route, string backend, int status,
            string outcome, double latencyMs, string clientIp, string traceId, string consumer, string subject, string authMethod);
    }
}
