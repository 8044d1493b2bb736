using FunctionsGateway.Health;
using NCrontab;

namespace FunctionsGateway.DevHost;

/// <summary>
/// The DevHost's stand-in for the Functions timer (<c>HealthProbeFunction</c>): runs the same <see cref="HealthProber"/>
/// on the same NCRONTAB schedule, the setting <c>HealthProbeSchedule</c> (six fields with seconds, in UTC; default
/// <c>*/30 * * * * *</c>, every 30 seconds). Like the Functions timer it does not run at start, and a round that
/// outlasts the interval is not overlapped: the next one starts at the first occurrence after it ended.
/// </summary>
internal sealed partial class HealthProbeTimer : BackgroundService
{
    public const string ScheduleSetting = "HealthProbeSchedule";
    public const string DefaultSchedule = "*/30 * * * * *";

    private readonly HealthProber _prober;
    private readonly TimeProvider _time;
    private readonly ILogger<HealthProbeTimer> _logger;
    private readonly CrontabSchedule _schedule;

    public HealthProbeTimer(HealthProber prober, IConfiguration configuration, TimeProvider time, ILogger<HealthProbeTimer> logger)
    {
        _prober = prober;
        _time = time;
        _logger = logger;
        _schedule = ParseSchedule(configuration[ScheduleSetting]);
    }

    /// <summary>The schedule in <paramref name="text"/> (the default when empty); an <see cref="ArgumentException"/> saying what to write when it is not one.</summary>
    public static CrontabSchedule ParseSchedule(string? text)
    {
        var schedule = string.IsNullOrWhiteSpace(text) ? DefaultSchedule : text.Trim();
        return CrontabSchedule.TryParse(schedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true })
            ?? throw new ArgumentException(
                $"{ScheduleSetting} '{schedule}' is not an NCRONTAB schedule of six fields (second minute hour day month day-of-week), as Azure Functions timers use; "
                + $"write one such as '{DefaultSchedule}' (every 30 seconds) or '0 */1 * * * *' (every minute).");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var now = _time.GetUtcNow();
                var next = new DateTimeOffset(_schedule.GetNextOccurrence(now.UtcDateTime), TimeSpan.Zero);
                await Task.Delay(next - now, _time, stoppingToken).ConfigureAwait(false);
                await ProbeAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private async Task ProbeAsync(CancellationToken stoppingToken)
    {
        try
        {
            await _prober.ProbeAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            // A bug in one round must not stop the timer, as a failed Functions invocation does not stop the next.
            Log.RoundFailed(_logger, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(520, LogLevel.Error, "A health probe round failed; the next runs on schedule.")]
        public static partial void RoundFailed(ILogger logger, Exception exception);
    }
}
