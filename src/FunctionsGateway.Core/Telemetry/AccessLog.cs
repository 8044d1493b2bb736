using System.Threading.Channels;
using FunctionsGateway.Forwarding;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FunctionsGateway.Telemetry;

/// <summary>
/// The request thread's side of the access log: decides whether a request is written (on, a logger listening,
/// sampled in or an error) and queues its <see cref="AccessLogEntry"/> for <see cref="AccessLogWriter"/>, never waiting:
/// an entry that finds the queue full is dropped and counted in <c>gateway.access_log.dropped</c>.
/// </summary>
internal sealed class AccessLog
{
    /// <summary>The logger category of the access log.</summary>
    public const string Category = "FunctionsGateway.AccessLog";

    private readonly Channel<AccessLogEntry> _queue;
    private readonly IRandomSource _random;
    private readonly bool _enabled;
    private readonly double _successSampleRate;

    public AccessLog(IOptions<AccessLogOptions> options, ILoggerFactory loggers, IRandomSource random)
    {
        var settings = options.Value;
        Logger = loggers.CreateLogger(Category);
        _random = random;
        _enabled = settings.Enabled;
        _successSampleRate = settings.SuccessSampleRate;

        // Wait mode only so that TryWrite reports a full queue (and the entry is counted as dropped); nothing ever waits.
        _queue = Channel.CreateBounded<AccessLogEntry>(new BoundedChannelOptions(settings.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>The logger the events are written to.</summary>
    public ILogger Logger { get; }

    /// <summary>The queued entries, read by <see cref="AccessLogWriter"/>.</summary>
    public ChannelReader<AccessLogEntry> Pending => _queue.Reader;

    /// <summary>
    /// Whether the request that ended with <paramref name="status"/> and <paramref name="errorCode"/> is written: never
    /// when the log is off or nobody listens at Information; always for errors; successes by the sample rate.
    /// </summary>
    public bool ShouldRecord(int status, string? errorCode)
    {
        if (!_enabled || !Logger.IsEnabled(LogLevel.Information))
        {
            return false;
        }

        return status >= 400 || errorCode is not null || _successSampleRate >= 1
            || (_successSampleRate > 0 && _random.NextDouble() < _successSampleRate);
    }

    /// <summary>Queues the entry, or drops and counts it when the writer has fallen behind by a full queue.</summary>
    public void Record(in AccessLogEntry entry)
    {
        if (!_queue.Writer.TryWrite(entry))
        {
            GatewayTelemetry.AccessLogDropped.Add(1);
        }
    }

    /// <summary>No more entries will be queued; the writer drains what is left and stops.</summary>
    public void Complete() => _queue.Writer.TryComplete();
}
