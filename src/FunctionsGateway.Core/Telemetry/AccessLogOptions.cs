namespace FunctionsGateway.Telemetry;

/// <summary>
/// The access log's settings, bound from the configuration section <c>Gateway:AccessLog</c> (app settings
/// <c>Gateway__AccessLog__Name</c>) and checked at start by <see cref="AccessLogOptionsValidator"/>. See docs/observability.md.
/// </summary>
public sealed class AccessLogOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Gateway:AccessLog";

    /// <summary>Whether one event per request is written at all (category <c>FunctionsGateway.AccessLog</c>, EventId 700).</summary>
    /// <value>The default value is true.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The share of successful requests (status below 400, no gateway error code) that are written, from 0 (none) to 1 (all).
    /// Errors are always written.
    /// </summary>
    /// <value>The default value is 1 (every request).</value>
    public double SuccessSampleRate { get; set; } = 1;

    /// <summary>
    /// How many events may wait for the background writer; when it is full, further events are dropped and counted
    /// (<c>gateway.access_log.dropped</c>) rather than making requests wait.
    /// </summary>
    /// <value>The default value is 10000.</value>
    public int QueueCapacity { get; set; } = 10_000;
}
